//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// DB-1: All migrations applied (`schema_versions` table current).
func TestDatabaseMigrationsApplied(t *testing.T) { harness.Row(t, launch.Rows, "DB-1") }

// DB-2: 5 invariant triggers verified active.
func TestDatabaseInvariantTriggersActive(t *testing.T) { harness.Row(t, launch.Rows, "DB-2") }

// DB-3: Connection pool sized for expected load (max 20).
func TestDatabaseConnectionPoolSized(t *testing.T) { harness.Row(t, launch.Rows, "DB-3") }

// DB-4: Performance indexes created (`performance_indexes_v1`).
func TestDatabasePerformanceIndexesCreated(t *testing.T) { harness.Row(t, launch.Rows, "DB-4") }

// DB-5: Backup schedule configured (Neon automated backups).
func TestDatabaseBackupScheduleConfigured(t *testing.T) { harness.Row(t, launch.Rows, "DB-5") }
