//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// DB-1: All migrations applied (`schema_versions` table current).
func TestDatabaseMigrationsApplied(t *testing.T) {
	check.Item(t, "DB-1")
	launch.MigrationsApplied(t, harness.Target(t))
}

// DB-2: 5 invariant triggers verified active.
func TestDatabaseInvariantTriggersActive(t *testing.T) {
	check.Item(t, "DB-2")
	launch.InvariantTriggersActive(t, harness.Target(t))
}

// DB-3: Connection pool sized for expected load (max 20).
func TestDatabaseConnectionPoolSized(t *testing.T) {
	check.Item(t, "DB-3")
	launch.PoolSized(t, harness.Target(t))
}

// DB-4: Performance indexes created (`performance_indexes_v1`).
func TestDatabasePerformanceIndexesCreated(t *testing.T) {
	check.Item(t, "DB-4")
	launch.PerformanceIndexesCreated(t, harness.Target(t))
}

// DB-5: Backup schedule configured (Neon automated backups).
func TestDatabaseBackupScheduleConfigured(t *testing.T) {
	check.Item(t, "DB-5")
	launch.BackupsConfigured(t, harness.Target(t))
}
