package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/firebasefake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/world"
)

// FirebaseAuth is the rehearsal's Firebase Auth: the real emulator (behind a
// lazy proxy), the emulator the run shares (SharedHost), or the in-process
// Identity Toolkit fake. Exactly one is set.
type FirebaseAuth struct {
	Emulator   *firebaseauth.Emulator
	SharedHost string // the run's emulator, started once for every test binary
	Fake       *firebasefake.Fake
}

// Kind is "emulator" or "fake".
func (f *FirebaseAuth) Kind() string {
	if f.Emulator != nil || f.SharedHost != "" {
		return "emulator"
	}
	return "fake"
}

func init() {
	// The emulator/fake serves RehearsalFirebaseProject, the project the
	// rest of the rehearsal (stand-in env, Railway variables) names.
	// Before the stand-in (Order 10): the stand-in copies FIREBASE_PROJECT_ID
	// and FIREBASE_AUTH_EMULATOR_HOST from the world into the backend's
	// environment and verifies ID tokens as the Admin SDK does in emulator mode.
	Register(world.Component{Name: "firebase", Order: 8, Start: func(ctx context.Context, w *world.World) error {
		cfg, err := config.FromEnv()
		if err != nil {
			return err
		}
		mode := cfg.Get(config.RehearsalFirebase)
		fa := &FirebaseAuth{SharedHost: w.FirebaseHost}
		if fa.SharedHost != "" && w.FirebaseReady != "" && usesFirebaseAuth.Load() {
			failed, err := waitFirebaseReady(ctx, w.FirebaseReady)
			if err != nil {
				return err
			}
			if failed != "" {
				if mode == "emulator" {
					return fmt.Errorf("%s=emulator: the run's Firebase Auth emulator did not start: %s", config.RehearsalFirebase, failed)
				}
				fmt.Fprintf(os.Stderr, "launchcheck: rehearsal Firebase Auth emulator did not start (%s): this binary uses the in-process fake\n", failed)
				fa.SharedHost, mode = "", "fake"
			}
		}
		switch {
		case fa.SharedHost != "":
		case mode == "emulator", mode == "auto":
			cli, err := firebaseauth.FindCLI(cfg.Get(config.FirebaseCLI))
			if err != nil {
				if mode == "emulator" {
					return fmt.Errorf("%s=emulator: %w", config.RehearsalFirebase, err)
				}
				break
			}
			e, err := firebaseauth.StartEmulator(cli, filepath.Join(w.Dir, "firebase"), RehearsalFirebaseProject)
			if err != nil {
				return err
			}
			w.OnClose(e.Close)
			fa.Emulator = e
		case mode == "fake":
		default:
			return fmt.Errorf("%s=%q: want auto, emulator or fake", config.RehearsalFirebase, mode)
		}
		host := fa.SharedHost
		if fa.Emulator != nil {
			host = fa.Emulator.Host
		} else if host == "" {
			fa.Fake = firebasefake.New(RehearsalFirebaseProject, "")
			w.OnClose(fa.Fake.Close)
			host = fa.Fake.Host
		}
		fmt.Fprintf(os.Stderr, "launchcheck: rehearsal Firebase Auth: %s at %s (project %s)\n", fa.Kind(), host, RehearsalFirebaseProject)
		partsOf(w).Firebase = fa
		w.SetEnv(config.FirebaseAuthEmulatorHost, host)
		w.SetEnv(config.FirebaseProjectID, RehearsalFirebaseProject)
		w.SetEnv(config.FirebaseWebAPIKey, "rehearsal-web-api-key")
		return nil
	}})
}

// usesFirebaseAuth is set by the binaries whose rows sign test users up.
var usesFirebaseAuth atomic.Bool

// UsesFirebaseAuth marks this test binary as one whose rows use Firebase
// Auth (FUN-1..7): its world waits until the run's shared emulator answers
// before the first test, so no row's time is spent booting it. Other
// binaries attach at once while the emulator boots (a request that reaches
// it early waits in its proxy). Call it in TestMain before Main.
func UsesFirebaseAuth() { usesFirebaseAuth.Store(true) }

// waitFirebaseReady waits for the run's readiness file of the shared
// emulator; failed is the boot error it holds ("" when the emulator answers).
func waitFirebaseReady(ctx context.Context, path string) (failed string, err error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			return string(b), nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the run's Firebase Auth emulator (%s): %w", path, ctx.Err())
		case <-tick.C:
		}
	}
}
