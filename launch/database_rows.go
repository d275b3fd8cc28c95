package launch

// The Database section (DB-1…DB-5). The checks live in internal/dbcheck
// because WK-4 (postlaunch) runs DB-1, DB-2's catalog half and DB-4 again on
// a restored branch, and no phase package imports another.

import (
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/target"
)

// MigrationsApplied checks DB-1: All migrations applied (`schema_versions` table current).
func MigrationsApplied(t check.T, env *target.Env) { t.Helper(); dbcheck.MigrationsApplied(t, env) }

// InvariantTriggersActive checks DB-2: 5 invariant triggers verified active.
func InvariantTriggersActive(t check.T, env *target.Env) {
	t.Helper()
	dbcheck.InvariantTriggersActive(t, env)
}

// PoolSized checks DB-3: Connection pool sized for expected load (max 20).
func PoolSized(t check.T, env *target.Env) { t.Helper(); dbcheck.PoolSized(t, env) }

// PerformanceIndexesCreated checks DB-4: Performance indexes created (`performance_indexes_v1`).
func PerformanceIndexesCreated(t check.T, env *target.Env) {
	t.Helper()
	dbcheck.PerformanceIndexesCreated(t, env)
}

// BackupsConfigured checks DB-5: Backup schedule configured (Neon automated backups).
func BackupsConfigured(t check.T, env *target.Env) { t.Helper(); dbcheck.BackupsConfigured(t, env) }
