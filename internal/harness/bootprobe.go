package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/world"
)

// BootProbe is the rehearsal's SEC-2 capability: it boots private stand-in
// instances in production mode against the world's Postgres and Redis.
// skipValidate makes them ignore validateConfig() (the self-test's fault).
// Live targets have no probe (target.Env.Boot is nil).
func BootProbe(w *world.World, skipValidate bool) *target.BootProbe {
	run := func(ctx context.Context, env map[string]string) (target.BootResult, error) {
		var b [4]byte
		rand.Read(b[:])
		s, err := standin.Boot(ctx, standin.Options{DSN: w.AdminDSN(), RedisURL: w.RedisURL, Env: env,
			RedisPrefix: "sec2-" + hex.EncodeToString(b[:]) + ":", DisableWorker: true, SkipValidateConfig: skipValidate, Replicas: 1})
		var be *standin.BootError
		switch {
		case errors.As(err, &be):
			return target.BootResult{Refused: true, Stderr: be.Stderr}, nil
		case err != nil:
			return target.BootResult{}, err
		}
		defer s.Close()
		return target.BootResult{Listened: true, Stderr: strings.Join(s.BootLog(), "\n")}, nil
	}
	return &target.BootProbe{Run: run, Env: standin.DefaultEnv(w.AdminDSN(), w.RedisURL), Without: "STRIPE_WEBHOOK_SECRET"}
}
