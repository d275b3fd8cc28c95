//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/world"
	"github.com/hustlexp/launchcheck/launch"
)

const dbTimeout = 60 * time.Second

// faultyDB clones the pristine rehearsal schema, applies sql as superuser and
// returns an env whose checks read the clone (read-only role) and probe it.
func faultyDB(t *testing.T, sql string) *target.Env {
	t.Helper()
	_, env := harness.World(t)
	dsn, conn := harness.CloneDB(t)
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("inject fault: %v", err)
	}
	return env.MustWith(map[string]string{config.DatabaseURL: world.ReadOnly(dsn), config.ScratchDatabaseURL: dsn})
}

func TestSelfDB1MigrationsApplied(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, env) })
	t.Run("fault=missing migration row", func(t *testing.T) {
		bad := faultyDB(t, "DELETE FROM applied_migrations WHERE name = 'add_missing_tables_v2'")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, bad) }, "applied_migrations lacks", "add_missing_tables_v2")
	})
	t.Run("fault=missing schema version", func(t *testing.T) {
		bad := faultyDB(t, "DELETE FROM schema_versions WHERE version = '1.2.0'")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, bad) }, "schema_versions lacks 1.2.0")
	})
}

// capturedManifestNames reads the 97 names of the real backend's migration
// manifest from the shared captures (skips when they are absent).
func capturedManifestNames(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, "50-migration-manifest-names.txt"))
	if err != nil {
		t.Skipf("captures of the real backend not found (%v): %s is the sibling checkout of the shared ground truth", err, capturesDir)
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names
}

const capturesDir = "../../shared/captures/hustlexp"

// realManifestRepo writes a repo whose backend/src/jobs/engine-automation-migration-files.ts
// is shaped like the backend's: REQUIRED_MIGRATION_FILES of { name, fileName }
// (fileName differs from name, as performance_indexes_v1 →
// 20260713_performance_indexes_alignment.sql does).
func realManifestRepo(t *testing.T, names []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("// Migrations the engine applies at start, in order. constitutional-schema.sql runs first (not listed).\n")
	b.WriteString("export interface RequiredMigrationFile {\n  name: string;\n  fileName: string;\n}\n\n")
	b.WriteString("export const REQUIRED_MIGRATION_FILES: readonly RequiredMigrationFile[] = [\n")
	for i, n := range names {
		file := n + ".sql"
		if n == "performance_indexes_v1" {
			file = "20260713_performance_indexes_alignment.sql"
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, "  { name: '%s', fileName: '%s' },\n", n, file)
		} else {
			fmt.Fprintf(&b, "  {\n    name: \"%s\",\n    fileName: \"%s\", // %s\n  },\n", n, file, "see backend/database/migrations")
		}
	}
	b.WriteString("] as const;\n\nexport const MIGRATIONS_DIR = 'backend/database/migrations';\n")
	root := t.TempDir()
	p := filepath.Join(root, "backend", "src", "jobs", "engine-automation-migration-files.ts")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestSelfDB1RealManifest: the backend's real manifest shape under
// HUSTLEXP_REPO_DIR at its default path, a database migrated as the real
// runner leaves it (97 applied_migrations rows in manifest order, no
// constitutional_schema row, three schema_versions with one applied_at).
// The old parser expected 194 names (every string literal) and failed here.
func TestSelfDB1RealManifest(t *testing.T) {
	names := capturedManifestNames(t)
	repo := realManifestRepo(t, names)
	var ins strings.Builder
	ins.WriteString("DELETE FROM applied_migrations; UPDATE schema_versions SET applied_at = '2026-11-29T23:56:41.505315+00:00';\n")
	for i, n := range names {
		fmt.Fprintf(&ins, "INSERT INTO applied_migrations(name, applied_at) VALUES ('%s', '2026-11-29T23:56:42Z'::timestamptz + interval '%d ms');\n", n, 10*i)
	}
	db := faultyDB(t, ins.String())
	env := db.MustWith(map[string]string{config.ExpectedMigrations: "", config.RepoDir: repo, config.MigrationManifest: config.DefaultMigrationManifest})
	r := checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, env) })
	if got, want := r.Attrs[check.AttrEvidence+"applied_migrations"], fmt.Sprintf("%d applied, %d expected", len(names), len(names)); !strings.HasPrefix(got, want) {
		t.Errorf("evidence %q, want %q", got, want)
	}
	t.Run("fault=one manifest migration not applied", func(t *testing.T) {
		bad := faultyDB(t, ins.String()+"DELETE FROM applied_migrations WHERE name = 'performance_indexes_v1';")
		bad = bad.MustWith(map[string]string{config.ExpectedMigrations: "", config.RepoDir: repo, config.MigrationManifest: config.DefaultMigrationManifest})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, bad) }, "lacks 1 of 97", "performance_indexes_v1")
	})
	t.Run("fault=manifest not at the configured path", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.MigrationManifest: "src/db/migrations/manifest.ts"})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.MigrationsApplied(ct, bad) }, "no migration manifest at src/db/migrations/manifest.ts", config.MigrationManifest)
	})
}

func TestSelfDB2InvariantTriggers(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, env) })
	faults := []struct {
		name, sql string
		want      []string
	}{
		{"disabled trigger", "ALTER TABLE tasks DISABLE TRIGGER task_terminal_guard",
			[]string{"task_terminal_guard", "tgenabled = 'D'"}},
		{"dropped trigger", "DROP TRIGGER xp_requires_released_escrow ON xp_ledger",
			[]string{"xp_requires_released_escrow", "missing"}},
		{"function replaced with a no-op", `CREATE OR REPLACE FUNCTION enforce_released_requires_completed() RETURNS trigger AS $$
			BEGIN RETURN NEW; END $$ LANGUAGE plpgsql`,
			[]string{"escrow_released_requires_completed_task did not fire"}},
		{"no-op that still names its SQLSTATE in a comment", `CREATE OR REPLACE FUNCTION prevent_escrow_terminal_mutation() RETURNS trigger AS $$
			BEGIN /* HX002 */ RETURN NEW; END $$ LANGUAGE plpgsql`,
			[]string{"escrow_terminal_guard did not fire"}},
		{"wrong SQLSTATE", `CREATE OR REPLACE FUNCTION prevent_task_terminal_mutation() RETURNS trigger AS $$
			BEGIN IF OLD.state IN ('COMPLETED','CANCELLED','EXPIRED') AND NEW.state IS DISTINCT FROM OLD.state THEN
			RAISE EXCEPTION 'TERMINAL_STATE_VIOLATION: HX001 mimic' USING ERRCODE = 'P0001'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			[]string{"task_terminal_guard", `raised SQLSTATE "P0001"`, "want HX001"}},
		{"AFTER instead of BEFORE", `DROP TRIGGER task_completed_requires_accepted_proof ON tasks;
			CREATE TRIGGER task_completed_requires_accepted_proof AFTER UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION enforce_completed_requires_accepted_proof()`,
			[]string{"task_completed_requires_accepted_proof", "want BEFORE UPDATE"}},
	}
	// Behaviour-only faults: the catalog is intact (same trigger, same
	// function name, its SQLSTATE still in the source), only the behaviour
	// probe can tell that the function no longer refuses anything.
	for _, tr := range launch.InvariantTriggers {
		faults = append(faults, struct {
			name, sql string
			want      []string
		}{"behaviour only: " + tr.Name + " no-op", fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger AS $$
			BEGIN /* RAISE EXCEPTION USING ERRCODE = '%s' */ RETURN NEW; END $$ LANGUAGE plpgsql`, tr.Function, tr.SQLState),
			[]string{tr.Name + " did not fire", "want SQLSTATE " + tr.SQLState}})
	}
	for _, f := range faults {
		t.Run("fault="+f.name, func(t *testing.T) {
			bad := faultyDB(t, f.sql)
			r := checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, bad) }, f.want...)
			// the probe judged all five triggers and only the broken one failed
			if ev := r.Attrs[check.AttrEvidence+"behaviour"]; strings.HasPrefix(f.name, "behaviour only") && !strings.HasPrefix(ev, "4/5 violations refused") {
				t.Errorf("behaviour evidence %q, want 4/5 violations refused", ev)
			}
		})
	}
	t.Run("fault=scratch is the live primary", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.ScratchDatabaseURL: env.Cfg.Get(config.DatabaseURL)})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, live) }, "refusing to run write probes on the primary")
	})
}

// setRailwayReplicas sets serviceInstance.numReplicas of the production API
// service in the Railway fake for the duration of the test.
func setRailwayReplicas(t *testing.T, rw *railwayfake.Fake, n int) {
	t.Helper()
	var prev map[string]int
	rw.Update(func(s *railwayfake.State) {
		sv := s.Service("hustlexp-engine")
		prev = sv.NumReplicas
		sv.NumReplicas = map[string]int{s.Env("production").ID: n}
	})
	t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Service("hustlexp-engine").NumReplicas = prev }) })
}

// DB-3 and GNG-5 judge the deployment's DB_POOL_MAX (Railway variables) and
// replica count (serviceInstance.numReplicas), never the operator's numbers:
// with Railway DB_POOL_MAX=50 the old check passed on HUSTLEXP_DB_POOL_MAX=20.
func TestSelfDB3PoolSized(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) })
	if ev := r.Attrs[check.AttrEvidence+"pool_max"]; !strings.Contains(ev, "20 per process × 3 replicas") || !strings.Contains(ev, "DB_POOL_MAX from Railway production/hustlexp-engine") {
		t.Errorf("evidence %q does not show the deployment's pool size and replicas", ev)
	}
	rw := w.Railway
	t.Run("fault=deployment runs DB_POOL_MAX=50 (operator default 20)", func(t *testing.T) {
		setRailwayVar(t, rw, "DB_POOL_MAX", "50", false)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) }, "deployment's DB_POOL_MAX = 50, want ≤ 20")
		// GNG-5 divides by the deployment's value, not the operator's 20.
		r := checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) })
		if ev := r.Attrs[check.AttrEvidence+"pool_utilisation"]; !strings.Contains(ev, "of DB_POOL_MAX=50") {
			t.Errorf("GNG-5 evidence %q, want utilisation of the deployment's DB_POOL_MAX=50", ev)
		}
	})
	t.Run("fault=operator and deployment disagree", func(t *testing.T) {
		setRailwayVar(t, rw, "DB_POOL_MAX", "15", false)
		bad := env.MustWith(map[string]string{config.DBPoolMax: "20"})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, bad) }, "HUSTLEXP_DB_POOL_MAX = 20 but the deployment runs with DB_POOL_MAX = 15")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, "HUSTLEXP_DB_POOL_MAX = 20 but the deployment runs with DB_POOL_MAX = 15")
	})
	t.Run("fault=DB_POOL_MAX not set in Railway", func(t *testing.T) {
		setRailwayVar(t, rw, "DB_POOL_MAX", "", true)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) }, "DB_POOL_MAX is not set in Railway production/hustlexp-engine", "set DB_POOL_MAX")
	})
	t.Run("fault=DB_POOL_MAX sealed", func(t *testing.T) {
		sealRailwayVar(t, rw, "DB_POOL_MAX")
		r := checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) }, "DB_POOL_MAX is sealed")
		if r.Status() != "unverified" {
			t.Errorf("sealed DB_POOL_MAX: status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=deployment replicas exceed max_connections", func(t *testing.T) {
		setRailwayReplicas(t, rw, 100)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) }, "100 replicas × 20", "but the server allows")
	})
	t.Run("fault=live run without Railway credentials", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.RailwayToken: ""})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, live) }, config.RailwayToken)
	})
}

func TestSelfDB4PerformanceIndexes(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.PerformanceIndexesCreated(ct, env) })
	t.Run("fault=missing index", func(t *testing.T) {
		bad := faultyDB(t, "DROP INDEX idx_escrows_task_state")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PerformanceIndexesCreated(ct, bad) }, "index idx_escrows_task_state missing")
	})
	t.Run("fault=invalid index", func(t *testing.T) {
		bad := faultyDB(t, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'idx_proofs_task_state'::regclass")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PerformanceIndexesCreated(ct, bad) }, "idx_proofs_task_state is invalid")
	})
	t.Run("fault=ledger row missing", func(t *testing.T) {
		bad := faultyDB(t, "DELETE FROM applied_migrations WHERE name = 'performance_indexes_v1'")
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PerformanceIndexesCreated(ct, bad) }, "no 'performance_indexes_v1' row")
	})
}

// TestPerformanceIndexesMatchCapture: the expected index → table map is the
// real backend's (captures 42-db-performance_indexes_v1.json).
func TestPerformanceIndexesMatchCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(capturesDir, "42-db-performance_indexes_v1.json"))
	if err != nil {
		t.Skipf("captures of the real backend not found (%v)", err)
	}
	var rows []struct {
		Table string `json:"table_name"`
		Index string `json:"index_name"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(launch.PerformanceIndexes) {
		t.Errorf("capture has %d indexes, the check expects %d", len(rows), len(launch.PerformanceIndexes))
	}
	for _, r := range rows {
		if got := launch.PerformanceIndexes[r.Index]; got != r.Table {
			t.Errorf("index %s: the check expects table %q, the real backend has it on %q", r.Index, got, r.Table)
		}
	}
}

// TestSelfDB4InventedTable: an index on the invented matching_scores table
// (which the old check expected) is on the wrong table.
func TestSelfDB4InventedTable(t *testing.T) {
	bad := faultyDB(t, `DROP INDEX idx_matching_scores_hustler_feed;
		CREATE TABLE matching_scores (id uuid PRIMARY KEY, hustler_id uuid, score numeric);
		CREATE INDEX idx_matching_scores_hustler_feed ON matching_scores(hustler_id, score DESC);`)
	checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PerformanceIndexesCreated(ct, bad) },
		"idx_matching_scores_hustler_feed is on matching_scores, want task_matching_scores")
}

func TestSelfDB5Backups(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, env) })
	neon := w.Neon
	t.Run("fault=retention 1 day", func(t *testing.T) {
		neon.Update(func(s *neonfake.State) { s.HistoryRetentionSeconds = 86400 })
		t.Cleanup(func() { neon.Update(func(s *neonfake.State) { s.HistoryRetentionSeconds = 7 * 86400 }) })
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, env) }, "PITR window) = 1.0 days, want ≥ 7")
	})
	t.Run("fault=revoked API key", func(t *testing.T) {
		neon.Update(func(s *neonfake.State) { s.RevokedKey = true })
		t.Cleanup(func() { neon.Update(func(s *neonfake.State) { s.RevokedKey = false }) })
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, env) }, "= 401")
	})
	t.Run("fault=production branch not protected or default", func(t *testing.T) {
		neon.Update(func(s *neonfake.State) { s.Branches[0].Default, s.Branches[0].Protected = false, false })
		t.Cleanup(func() {
			neon.Update(func(s *neonfake.State) { s.Branches[0].Default, s.Branches[0].Protected = true, true })
		})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, env) }, "neither the default nor a protected")
	})
	t.Run("fault=live run without Neon credentials", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.NeonAPIKey: ""})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, live) }, "live config incomplete for production", "NEON_API_KEY")
	})
}

// An unreachable database fails within its deadline instead of hanging.
func TestSelfDBUnreachable(t *testing.T) {
	_, env := harness.World(t)
	for name, addr := range map[string]string{"black hole": checktest.BlackHole(t), "closed port": checktest.ClosedPort(t)} {
		t.Run("fault="+name, func(t *testing.T) {
			bad := env.MustWith(map[string]string{config.DatabaseURL: "postgres://launchcheck@" + addr + "/hustlexp?sslmode=disable", config.CheckTimeout: "3s"})
			r := checktest.MustFail(t, 20*time.Second, func(ct check.T) { launch.PoolSized(ct, bad) }, addr)
			if r.Elapsed > 10*time.Second {
				t.Errorf("unreachable database took %s to fail, want within the 3s check deadline", r.Elapsed)
			}
		})
	}
}
