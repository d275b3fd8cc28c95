package check

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that waiting will not fix (a 401, a parse error):
// Eventually stops at once instead of retrying until the deadline.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { var p permanent; return errors.As(err, &p) }

// Poll calls fn until it returns nil, a permanent error, or the deadline
// passes; it returns the last error. It never sleeps past ctx's deadline.
func Poll(ctx context.Context, deadline time.Duration, fn func(ctx context.Context) error) error {
	return PollFor(ctx, "", deadline, fn)
}

// PollFor is Poll for a deadline set by the variable name: when the wait
// ends it says which deadline expired — its own (naming the variable) or
// the check's (HUSTLEXP_CHECK_TIMEOUT, when ctx came from Ctx) that cut the
// wait short.
func PollFor(ctx context.Context, name string, deadline time.Duration, fn func(ctx context.Context) error) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	own := deadline.String()
	if name != "" {
		own = name + "=" + own
	}
	wait := 50 * time.Millisecond
	var last error
	for {
		last = fn(ctx)
		if last == nil {
			return nil
		}
		if IsPermanent(last) {
			return last
		}
		select {
		case <-ctx.Done():
			return errors.Join(expired(parent, own), last)
		case <-time.After(wait):
		}
		if wait < time.Second {
			wait *= 2
		}
	}
}

// expired says which deadline ended a wait: the wait's own, or the
// enclosing one (the check's, named when Ctx made it) before it.
func expired(parent context.Context, own string) error {
	if parent.Err() == nil {
		return errors.New("deadline " + own + " passed")
	}
	if knob, ok := parent.Value(checkDeadlineKey{}).(string); ok && errors.Is(parent.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the check's deadline %s passed before the wait's own deadline %s: the wait was cut short (raise %s above the wait)", knob, own, config.CheckTimeout)
	}
	return fmt.Errorf("the check ended (%v) before the wait's own deadline %s", parent.Err(), own)
}

// Eventually fails the check unless fn succeeds within deadline.
func Eventually(t T, deadline time.Duration, fn func(ctx context.Context) error) {
	t.Helper()
	if err := Poll(t.Context(), deadline, fn); err != nil {
		t.Fatalf("not satisfied within %s: %v", deadline, err)
	}
}
