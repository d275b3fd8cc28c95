package launch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
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
			checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, bad) }, f.want...)
		})
	}
	t.Run("fault=scratch is the live primary", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.ScratchDatabaseURL: env.Cfg.Get(config.DatabaseURL)})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, live) }, "refusing to run write probes on the primary")
	})
}

func TestSelfDB3PoolSized(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) })
	t.Run("fault=oversized pool", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.DBPoolMax: "50"})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, bad) }, "DB_POOL_MAX = 50, want ≤ 20")
	})
	t.Run("fault=replicas exceed max_connections", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.Replicas: "12"})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, bad) }, "but the server allows")
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

func TestSelfDB5Backups(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, env) })
	neon := harness.NeonFake(w)
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
