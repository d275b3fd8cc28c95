package check

import (
	"context"
	"errors"
	"time"
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
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
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
			return errors.Join(errors.New("deadline "+deadline.String()+" passed"), last)
		case <-time.After(wait):
		}
		if wait < time.Second {
			wait *= 2
		}
	}
}

// Eventually fails the check unless fn succeeds within deadline.
func Eventually(t T, deadline time.Duration, fn func(ctx context.Context) error) {
	t.Helper()
	if err := Poll(t.Context(), deadline, fn); err != nil {
		t.Fatalf("not satisfied within %s: %v", deadline, err)
	}
}
