// Package target is what a check receives: the validated configuration of the
// system under test and the run's identity. Checks never know whether the
// target is the rehearsal.
package target

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Env is the system under test.
type Env struct {
	Cfg   *config.Config
	RunID string
	// Boot is an optional capability: booting the backend in production
	// mode with a chosen environment (SEC-2). Only the rehearsal has it; a
	// live target is nil and SEC-2 judges source and deployment logs only.
	Boot *BootProbe
}

// BootProbe boots the backend with a complete production environment minus
// one required variable and reports what the process did.
type BootProbe struct {
	Run     func(ctx context.Context, env map[string]string) (BootResult, error)
	Env     map[string]string // a complete production environment
	Without string            // the required variable the probe removes
}

// BootResult is what booting the backend with a given environment did.
type BootResult struct {
	Refused  bool   // the process exited before binding a port
	Listened bool   // a port was bound
	Stderr   string // boot output
}

// Tag is the namespace for everything this run creates: launchcheck-<runid>.
func (e *Env) Tag() string { return "launchcheck-" + e.RunID }

// With returns a copy of e whose configuration has kv overlaid. Self-tests use
// it to aim a check at a faulty fake.
func (e *Env) With(kv map[string]string) (*Env, error) {
	c, err := e.Cfg.With(kv)
	if err != nil {
		return nil, err
	}
	return &Env{Cfg: c, RunID: e.RunID, Boot: e.Boot}, nil
}

// MustWith is With for tests; it panics on a programming error.
func (e *Env) MustWith(kv map[string]string) *Env {
	n, err := e.With(kv)
	if err != nil {
		panic(fmt.Sprintf("target.MustWith: %v", err))
	}
	return n
}

// NewRunID returns a sortable, unique run id: YYYYMMDDhhmmss-<6 hex>.
func NewRunID() string {
	var b [3]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102150405") + "-" + hex.EncodeToString(b[:])
}
