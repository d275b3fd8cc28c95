package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
