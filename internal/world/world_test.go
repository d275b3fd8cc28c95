//go:build !prelaunch && !t0 && !day1 && !week1

package world_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// fakeEngine is a Docker engine API on a unix socket that answers but cannot
// pull (as an engine without a reachable registry answers).
func fakeEngine(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.47")
		w.Header().Set("Content-Type", "application/json")
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/_ping"):
			w.Write([]byte("OK"))
		case strings.HasSuffix(p, "/info"):
			w.Write([]byte(`{"ID":"fake","OperatingSystem":"fake engine","ServerVersion":"27.0.0","NCPU":2}`))
		case strings.Contains(p, "/images/") && strings.HasSuffix(p, "/json"):
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"No such image"}`))
		case strings.HasSuffix(p, "/images/create"):
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message":"Get \"https://registry.example/v2/\": dial tcp: lookup registry.example: no such host"}`))
		default:
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message":"not in this fake"}`))
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock
}

// TestWorldWithEngineThatCannotPull: a Docker engine that answers but cannot
// pull the default images makes the rehearsal fall back to the local
// binaries, quickly (one pull attempt, no retries); forced, the failed pull
// is the error. testcontainers resolves the engine once per process, so the
// test runs in a process of its own (an earlier test of this binary may have
// resolved the machine's real engine, or found none).
func TestWorldWithEngineThatCannotPull(t *testing.T) {
	if os.Getenv("LAUNCHCHECK_FAKE_ENGINE_PROCESS") == "" {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWorldWithEngineThatCannotPull$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "LAUNCHCHECK_FAKE_ENGINE_PROCESS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("in its own process: %v\n%s", err, out)
		}
		return
	}
	host := fakeEngine(t)
	t.Setenv("DOCKER_HOST", host)
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	t.Run("falls back to binaries", func(t *testing.T) {
		begin := time.Now()
		w := startWorld(t, map[string]string{config.DockerHost: host})
		if w.Provider != world.ProviderBinaries {
			t.Fatalf("provider = %s, want the binaries fallback", w.Provider)
		}
		if d := time.Since(begin); d > 60*time.Second {
			t.Errorf("fallback took %s: a failed pull must not be retried", d)
		}
	})
	t.Run("forced testcontainers names the pull", func(t *testing.T) {
		cfg, err := config.Load(func(k string) string {
			return map[string]string{config.DockerHost: host, config.RehearsalProvider: world.ProviderTestcontainers}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		w, err := world.Start(ctx, cfg, nil)
		if err == nil {
			w.Close()
			t.Fatal("started with an engine that cannot pull")
		}
		for _, want := range []string{"testcontainers", "pull postgres:16-alpine"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
}
