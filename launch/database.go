package launch

// The Database section's checks live in internal/dbcheck (shared with
// postlaunch's WK-4 restore drill); these names keep launch's API. DB-3 is
// in database_pool.go.

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/target"
)

// ExpectedSchemaVersions are the baseline's schema_versions rows (contract §8.1).
var ExpectedSchemaVersions = dbcheck.ExpectedSchemaVersions

// ManifestArray is the exported array of the backend's migration manifest.
const ManifestArray = dbcheck.ManifestArray

// Trigger is one invariant trigger of the contract.
type Trigger = dbcheck.Trigger

// InvariantTriggers are the contract's invariant triggers (DB-2).
var InvariantTriggers = dbcheck.InvariantTriggers

// PerformanceIndexes are the indexes of performance_indexes_v1 and their tables (DB-4).
var PerformanceIndexes = dbcheck.PerformanceIndexes

// ProbeResult is the outcome of one attempted invariant violation.
type ProbeResult = dbcheck.ProbeResult

// RunTriggerProbes attempts each invariant violation on conn (dbcheck.RunTriggerProbes).
func RunTriggerProbes(ctx context.Context, conn *pgx.Conn) ([]ProbeResult, error) {
	return dbcheck.RunTriggerProbes(ctx, conn)
}

// MigrationsApplied checks DB-1: All migrations applied (`schema_versions` table current).
// A manifest read from HUSTLEXP_REPO_DIR is judged only from a checkout of
// the deployed revision (checkoutTied).
func MigrationsApplied(t check.T, env *target.Env) {
	t.Helper()
	if dbcheck.ManifestFromRepo(env.Cfg) {
		checkoutTied(t, env, "DB-1 migration manifest")
	}
	dbcheck.MigrationsApplied(t, env)
}

// InvariantTriggersActive checks DB-2: 5 invariant triggers verified active.
func InvariantTriggersActive(t check.T, env *target.Env) {
	t.Helper()
	dbcheck.InvariantTriggersActive(t, env)
}

// PerformanceIndexesCreated checks DB-4: Performance indexes created (`performance_indexes_v1`).
func PerformanceIndexesCreated(t check.T, env *target.Env) {
	t.Helper()
	dbcheck.PerformanceIndexesCreated(t, env)
}

// BackupsConfigured checks DB-5: Backup schedule configured (Neon automated backups).
func BackupsConfigured(t check.T, env *target.Env) { t.Helper(); dbcheck.BackupsConfigured(t, env) }

// NeonClient is the Neon API client of the target's configuration.
func NeonClient(env *target.Env) *neon.Client { return dbcheck.NeonClient(env) }

// BranchNames lists branch names for evidence.
func BranchNames(bs []neon.Branch) string { return dbcheck.BranchNames(bs) }
