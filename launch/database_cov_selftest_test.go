//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// DB-2's catalog faults a migration can leave (the trigger exists, under its
// name, but is not the contract's) and its scratch database out of reach or
// without the schema.
func TestSelfDB2CatalogAndScratchFaults(t *testing.T) {
	w, env := harness.World(t)
	// the healthy run proves all five violations, one result per trigger
	r := checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, env) })
	if ev := r.Attrs[check.AttrEvidence+"behaviour"]; !strings.HasPrefix(ev, "5/5 violations refused") {
		t.Fatalf("behaviour evidence %q, want 5/5 violations refused", ev)
	}
	faults := []struct {
		name, sql string
		want      []string
	}{
		{"trigger on the wrong table (a renamed copy)", `CREATE TABLE escrows_legacy (LIKE escrows INCLUDING ALL);
			DROP TRIGGER escrow_terminal_guard ON escrows;
			CREATE TRIGGER escrow_terminal_guard BEFORE UPDATE ON escrows_legacy FOR EACH ROW EXECUTE FUNCTION prevent_escrow_terminal_mutation()`,
			[]string{"trigger escrow_terminal_guard: on table escrows_legacy, want escrows"}},
		{"trigger calls the wrong function (copy-paste)", `DROP TRIGGER task_terminal_guard ON tasks;
			CREATE TRIGGER task_terminal_guard BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION enforce_completed_requires_accepted_proof()`,
			[]string{"trigger task_terminal_guard: calls enforce_completed_requires_accepted_proof(), want prevent_task_terminal_mutation()"}},
		{"FOR EACH STATEMENT", `DROP TRIGGER xp_requires_released_escrow ON xp_ledger;
			CREATE TRIGGER xp_requires_released_escrow BEFORE INSERT ON xp_ledger FOR EACH STATEMENT EXECUTE FUNCTION enforce_xp_requires_released_escrow()`,
			[]string{"trigger xp_requires_released_escrow: ", "FOR EACH STATEMENT", "want FOR EACH ROW"}},
	}
	for _, f := range faults {
		t.Run("fault="+f.name, func(t *testing.T) {
			bad := faultyDB(t, f.sql)
			checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, bad) }, f.want...)
		})
	}
	t.Run("a stray copy on another table does not hide the right one", func(t *testing.T) {
		copyOnLegacy := faultyDB(t, `CREATE TABLE escrows_legacy (LIKE escrows INCLUDING ALL);
			CREATE TRIGGER escrow_terminal_guard BEFORE UPDATE ON escrows_legacy FOR EACH ROW EXECUTE FUNCTION prevent_escrow_terminal_mutation()`)
		checktest.MustPass(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, copyOnLegacy) })
	})
	t.Run("fault=scratch database unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.ScratchDatabaseURL: "postgres://launchcheck@" + checktest.ClosedPort(t) + "/scratch?sslmode=disable&connect_timeout=2"})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, bad) }, "scratch database: ")
	})
	t.Run("fault=scratch database without the schema (an empty branch)", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.ScratchDatabaseURL: w.DSN("postgres", "", "")})
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.InvariantTriggersActive(ct, bad) },
			"trigger probe setup on scratch ", `relation "users" does not exist`)
	})
}
