// Package harness wires test binaries to their target: TestMain calls Main,
// checklist tests call Target, self-tests call World (always the rehearsal).
package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/world"
)

var (
	compsMu sync.Mutex
	comps   []world.Component
)

// Register adds a component the rehearsal world starts (called from init).
func Register(c world.Component) { compsMu.Lock(); comps = append(comps, c); compsMu.Unlock() }

// Components returns the registered components.
func Components() []world.Component {
	compsMu.Lock()
	defer compsMu.Unlock()
	return append([]world.Component(nil), comps...)
}

var (
	baseCfg  *config.Config
	cfgErr   error
	runID    string
	cfgOnce  sync.Once
	worldMu  sync.Mutex
	theWorld *world.World
	worldErr error
	worldEnv *target.Env
	viaMain  bool // TestMain is Main (the binary can serve as the run's daemon)
)

func load() {
	cfgOnce.Do(func() {
		baseCfg, cfgErr = config.FromEnv()
		if cfgErr == nil {
			runID = baseCfg.Get(config.RunID)
			if runID == "" {
				runID = target.NewRunID()
			}
		}
	})
}

// Main is TestMain for every package with checks: it validates the
// environment once and tears the rehearsal world down at the end.
//
// Against the rehearsal it brings the world up before the first test runs,
// so no test's own time is spent starting it (the run's shared
// infrastructure, see run.go, is started by the first binary and reused by
// the others).
func Main(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == daemonArg {
		os.Exit(runDaemon(os.Args[2:]))
	}
	viaMain = true
	load()
	if cfgErr != nil {
		fmt.Fprintf(os.Stderr, "launchcheck: invalid environment:\n%v\n", cfgErr)
		os.Exit(2)
	}
	if !baseCfg.Live() && wantsWorld() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		// An error is reported by the first test that needs the world.
		StartWorld(ctx)
		cancel()
	}
	code := m.Run()
	worldMu.Lock()
	if theWorld != nil {
		theWorld.Close()
	}
	worldMu.Unlock()
	os.Exit(code)
}

// Config returns the process configuration (valid after Main).
func Config(t testing.TB) *config.Config {
	t.Helper()
	load()
	if cfgErr != nil {
		t.Fatalf("invalid environment: %v", cfgErr)
	}
	return baseCfg
}

// StartWorld starts (once) and returns the rehearsal world for this binary.
func StartWorld(ctx context.Context) (*world.World, *target.Env, error) {
	load()
	if cfgErr != nil {
		return nil, nil, cfgErr
	}
	worldMu.Lock()
	defer worldMu.Unlock()
	if theWorld != nil || worldErr != nil {
		return theWorld, worldEnv, worldErr
	}
	rcfg, err := rehearsalBase()
	if err != nil {
		worldErr = err
		return nil, nil, err
	}
	theWorld, worldErr = startOrAttach(ctx, rcfg)
	if worldErr != nil {
		return nil, nil, worldErr
	}
	env := theWorld.Env()
	env[config.HustlexpTarget] = string(config.Rehearsal)
	c, err := rehearsalConfig(rcfg, env)
	if err != nil {
		worldErr = err
		return nil, nil, err
	}
	worldEnv = &target.Env{Cfg: c, RunID: runID, Boot: BootProbe(theWorld, false)}
	slow := ""
	if len(theWorld.Slow) > 0 {
		slow = "; slowest parts: " + strings.Join(theWorld.Slow, ", ")
	}
	fmt.Fprintf(os.Stderr, "launchcheck: rehearsal world up in %s (provider %s%s)\n", theWorld.Started.Round(time.Millisecond), theWorld.Provider, slow)
	return theWorld, worldEnv, nil
}

// rehearsalBase is the configuration the world is built from: the rehearsal's
// own settings only, so a live target's URLs and keys never leak into it.
func rehearsalBase() (*config.Config, error) {
	return baseCfg.Tuning().With(map[string]string{config.HustlexpTarget: string(config.Rehearsal)})
}

// startOrAttach attaches this binary to the run's shared infrastructure, or
// (when that cannot be had) starts a world of its own, saying why.
func startOrAttach(ctx context.Context, rcfg *config.Config) (*world.World, error) {
	if !viaMain {
		// Only a binary whose TestMain is Main can be re-executed as the
		// run's daemon.
		return world.Start(ctx, rcfg, Components())
	}
	inf, l, err := joinRun(ctx, rcfg)
	var ie *infraError
	if errors.As(err, &ie) {
		return nil, err
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "launchcheck: shared rehearsal infrastructure unavailable (%v): this test binary starts its own\n", err)
		return world.Start(ctx, rcfg, Components())
	}
	w, err := world.Attach(ctx, inf, l.slot, Components())
	if err != nil {
		l.Close()
		return nil, err
	}
	w.OnCloseLast(l.Close) // the run's daemon counts this binary until its database is dropped
	return w, nil
}

// wantsWorld is false when the test binary only lists tests or runs none
// (-test.list, -test.run=^$ for a fuzz or benchmark-only invocation).
func wantsWorld() bool {
	for _, a := range os.Args[1:] {
		a = strings.TrimLeft(a, "-")
		switch {
		case strings.HasPrefix(a, "test.list"), a == "test.run=^$", strings.HasPrefix(a, "test.run=^$ "):
			return false
		}
	}
	return true
}

// rehearsalConfig keeps only settings that tune the checks (thresholds,
// timeouts), drops every endpoint or credential of a live target, and points
// the rest at the world.
func rehearsalConfig(base *config.Config, env map[string]string) (*config.Config, error) {
	return base.With(env)
}

// World returns the rehearsal world for a self-test, starting it on first use.
// Against a live target self-tests are skipped: they belong to `make test`.
func World(t testing.TB) (*Rehearsal, *target.Env) {
	t.Helper()
	cfg := Config(t)
	if cfg.Live() {
		t.Skipf("self-test: runs only against the rehearsal (make test), target is %s", cfg.Target)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	w, env, err := StartWorld(ctx)
	if err != nil {
		t.Fatalf("rehearsal world: %v", err)
	}
	return Of(w), env
}

// Target returns the system under test for a checklist test: the rehearsal
// world by default, or the live deployment named by HUSTLEXP_TARGET.
func Target(t *testing.T) *target.Env {
	t.Helper()
	cfg := Config(t)
	if cfg.Live() {
		return &target.Env{Cfg: cfg, RunID: runID}
	}
	_, env := World(t)
	return env
}

var _ check.T = (*testing.T)(nil)
