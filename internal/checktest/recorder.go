// Package checktest runs a check against a recorder instead of a real test, so
// a self-test can assert that the check FAILED and why.
package checktest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
)

// Recorder implements check.T and records what the check said.
type Recorder struct {
	mu       sync.Mutex
	name     string
	ctx      context.Context
	failed   bool
	skipped  bool
	msgs     []string
	logs     []string
	attrs    map[string]string
	cleanups []func()
}

var _ check.T = (*Recorder)(nil)

func (r *Recorder) Helper()                  {}
func (r *Recorder) Name() string             { return r.name }
func (r *Recorder) Context() context.Context { return r.ctx }
func (r *Recorder) Errorf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(f, a...))
}
func (r *Recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *Recorder) Logf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(f, a...))
}
func (r *Recorder) Skipf(f string, a ...any) {
	r.mu.Lock()
	r.skipped = true
	r.logs = append(r.logs, "SKIP: "+fmt.Sprintf(f, a...))
	r.mu.Unlock()
	runtime.Goexit()
}
func (r *Recorder) Fail()    { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *Recorder) FailNow() { r.Fail(); runtime.Goexit() }
func (r *Recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
func (r *Recorder) Cleanup(f func()) { r.mu.Lock(); r.cleanups = append(r.cleanups, f); r.mu.Unlock() }
func (r *Recorder) Attr(k, v string) { r.mu.Lock(); r.attrs[k] = v; r.mu.Unlock() }

// Result is what a check run left behind.
type Result struct {
	Failed   bool
	Skipped  bool
	Messages []string // Errorf/Fatalf texts
	Logs     []string
	Attrs    map[string]string
	Elapsed  time.Duration
}

// Text is all failure messages joined, for assertions.
func (r Result) Text() string { return strings.Join(r.Messages, "\n") }

// Status is pass, fail, unverified or waived, as the report would show it.
func (r Result) Status() string {
	if s := r.Attrs[check.AttrStatus]; s != "" {
		return s
	}
	if r.Failed {
		return "fail"
	}
	if r.Skipped {
		return "skip"
	}
	return "pass"
}

// Run executes fn with a fresh Recorder named after t, bounded by timeout.
func Run(t testing.TB, timeout time.Duration, fn func(check.T)) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	rec := &Recorder{name: t.Name(), ctx: ctx, attrs: map[string]string{}}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				rec.Errorf("check panicked: %v", p)
			}
		}()
		fn(rec)
	}()
	select {
	case <-done:
	case <-time.After(timeout + 10*time.Second):
		t.Fatalf("check did not return within %s (+10s grace): it ignores its context", timeout)
	}
	for i := len(rec.cleanups) - 1; i >= 0; i-- {
		rec.cleanups[i]()
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return Result{Failed: rec.failed, Skipped: rec.skipped, Messages: rec.msgs, Logs: rec.logs, Attrs: rec.attrs, Elapsed: time.Since(start)}
}

// MustPass runs fn and fails t unless the check passed.
func MustPass(t testing.TB, timeout time.Duration, fn func(check.T)) Result {
	t.Helper()
	r := Run(t, timeout, fn)
	if r.Failed || r.Skipped {
		t.Fatalf("check should pass on the healthy rehearsal, got %s:\n%s\nlogs:\n%s", r.Status(), r.Text(), strings.Join(r.Logs, "\n"))
	}
	return r
}

// MustFail runs fn and fails t unless the check failed with a message
// containing every one of wants (case-insensitive).
func MustFail(t testing.TB, timeout time.Duration, fn func(check.T), wants ...string) Result {
	t.Helper()
	r := Run(t, timeout, fn)
	if !r.Failed {
		t.Fatalf("check should FAIL on the injected fault, but it passed (logs:\n%s)", strings.Join(r.Logs, "\n"))
	}
	low := strings.ToLower(r.Text())
	for _, w := range wants {
		if !strings.Contains(low, strings.ToLower(w)) {
			t.Fatalf("check failed, but its message does not name the fault %q:\n%s", w, r.Text())
		}
	}
	return r
}
