//go:build !prelaunch && !t0 && !day1 && !week1

package world_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

func startWorld(t *testing.T, env map[string]string) *world.World {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := world.Start(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("start world: %v", err)
	}
	t.Cleanup(w.Close)
	return w
}

func TestWorldSchemaAndReadOnlyRole(t *testing.T) {
	w := startWorld(t, map[string]string{})
	t.Logf("provider %s, started in %s", w.Provider, w.Started)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, w.Env()[config.DatabaseURL])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_versions").Scan(&n); err != nil || n != 3 {
		t.Fatalf("schema_versions rows = %d, %v; want 3", n, err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO applied_migrations(name) VALUES ('x')"); err == nil {
		t.Fatal("read-only role could write")
	}
}

// TestWorldTestcontainers exercises the testcontainers provider where a
// Docker engine is present (CI builds local images for it).
func TestWorldTestcontainers(t *testing.T) {
	cfg, _ := config.FromEnv()
	if cfg == nil || !cfg.Has(config.PostgresImage) {
		t.Skip("HUSTLEXP_POSTGRES_IMAGE not set: no local images for the testcontainers provider")
	}
	w := startWorld(t, map[string]string{
		config.RehearsalProvider: world.ProviderTestcontainers,
		config.PostgresImage:     cfg.Get(config.PostgresImage),
		config.RedisImage:        cfg.Get(config.RedisImage),
	})
	if w.Provider != world.ProviderTestcontainers {
		t.Fatalf("provider = %s", w.Provider)
	}
}
