package postlaunch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/target"
)

// prefixT prefixes every failure of a reused check (the Database section's
// checks run against the restored branch).
type prefixT struct {
	check.T
	prefix string
}

func (p prefixT) Errorf(f string, a ...any) { p.T.Errorf("%s"+f, append([]any{p.prefix}, a...)...) }
func (p prefixT) Fatalf(f string, a ...any) { p.T.Fatalf("%s"+f, append([]any{p.prefix}, a...)...) }

// tableCount is one table's row counts on both sides.
type tableCount struct {
	Table, TimeColumn string
	Primary, Restored int64 // rows at or before the restore point (all rows if no time column)
}

var timeColumns = []string{"created_at", "applied_at", "awarded_at", "appliedAt"}

// countRows counts rows of tables at or before at; the time column is found
// per table (created_at, applied_at, awarded_at) on the given side.
func countRows(ctx context.Context, tx pgx.Tx, tables []string, at time.Time) (map[string]tableCount, error) {
	out := map[string]tableCount{}
	for _, tb := range tables {
		var col string
		err := tx.QueryRow(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 AND column_name = ANY($2)
			ORDER BY array_position($2, column_name::text) LIMIT 1`, tb, timeColumns).Scan(&col)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("columns of %s: %w", tb, err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('public.' || quote_ident($1)) IS NOT NULL`, tb).Scan(&exists); err != nil {
			return nil, err
		}
		if !exists {
			return nil, fmt.Errorf("table %s does not exist", tb)
		}
		id := pgx.Identifier{tb}.Sanitize()
		var n int64
		if col != "" {
			err = tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s <= $1", id, pgx.Identifier{col}.Sanitize()), at).Scan(&n)
		} else {
			err = tx.QueryRow(ctx, "SELECT count(*) FROM "+id).Scan(&n)
		}
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", tb, err)
		}
		out[tb] = tableCount{Table: tb, TimeColumn: col, Primary: n}
	}
	return out, nil
}

// RestoreWorks checks WK-4: Verify backup restore works (test restore to dev). It creates a Neon branch
// from the production branch as of HUSTLEXP_RESTORE_POINT_AGO, waits until it
// is ready (time-to-restore), runs the Database section's read-only checks
// (DB-1 migrations, DB-2 trigger catalog, DB-4 indexes) and row counts on it,
// compares the counts with the primary's rows created before the restore
// point, and always deletes the branch.
func RestoreWorks(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.NeonAPIKey, config.NeonProjectID, config.NeonAPIURL, config.DatabaseURL)
	ctx := check.Ctx(t, cfg)
	nc, parent := restoreParent(t, ctx, cfg)
	at := time.Now().Add(-cfg.Duration(config.RestorePointAgo)).UTC().Truncate(time.Second)
	tables := cfg.List(config.RestoreTables)
	want := primaryCounts(t, ctx, cfg, tables, at) // rows that existed at the restore point
	created, ttr := restoreBranch(t, ctx, env, nc, parent, at)
	benv, dsn, err := restoredEnv(env, created)
	if err != nil {
		t.Fatalf("WK-4: branch %s: %v: cannot inspect the restore", created.Branch.Name, err)
	}
	got := restoredCounts(t, ctx, cfg, dsn, tables, at)
	compareCounts(t, tables, want, got, at)

	// The Database section's read-only checks on the restored copy.
	pt := prefixT{t, "restored branch: "}
	dbcheck.MigrationsApplied(pt, benv)
	judgeTriggers(t, got.triggers)
	dbcheck.PerformanceIndexesCreated(pt, benv)
	if !t.Failed() {
		recordRB2(t, env, at, ttr)
	}
}

// restoreParent is the Neon client and the production branch to restore from.
func restoreParent(t check.T, ctx context.Context, cfg *config.Config) (*neon.Client, neon.Branch) {
	t.Helper()
	nc := &neon.Client{BaseURL: cfg.Get(config.NeonAPIURL), APIKey: cfg.Get(config.NeonAPIKey), Timeout: cfg.Duration(config.HTTPTimeout),
		HTTP: &http.Client{Timeout: cfg.Duration(config.HTTPTimeout)}}
	project := cfg.Get(config.NeonProjectID)
	branches, err := nc.Branches(ctx, project)
	if err != nil {
		t.Fatalf("WK-4: list Neon branches of %s: %v", project, err)
	}
	parent, ok := neon.FindBranch(branches, cfg.Get(config.NeonBranch))
	if !ok {
		t.Fatalf("WK-4: Neon branch %q not found in project %s (set %s)", cfg.Get(config.NeonBranch), project, config.NeonBranch)
	}
	return nc, parent
}

// primaryCounts counts the primary's rows at or before the restore point.
func primaryCounts(t check.T, ctx context.Context, cfg *config.Config, tables []string, at time.Time) map[string]tableCount {
	t.Helper()
	primary := cfg.Get(config.DatabaseURL)
	var want map[string]tableCount
	if err := pg.Query(ctx, primary, cfg.Duration(config.StatementTimeout), func(tx pgx.Tx) error {
		var err error
		want, err = countRows(ctx, tx, tables, at)
		return err
	}); err != nil {
		t.Fatalf("WK-4: row counts on the primary %s: %v", pg.Host(primary), err)
	}
	return want
}

// restoreBranch creates the branch as of at, deleted in cleanup, and waits
// until Neon reports it ready; it returns the creation answer and the time
// to restore.
func restoreBranch(t check.T, ctx context.Context, env *target.Env, nc *neon.Client, parent neon.Branch, at time.Time) (neon.CreatedBranch, time.Duration) {
	t.Helper()
	cfg := env.Cfg
	project := cfg.Get(config.NeonProjectID)
	name := env.Tag() + "-wk4-restore"
	start := time.Now()
	created, err := nc.CreateBranch(ctx, project, name, parent.ID, at)
	// Always clean up, even when creation answered an error after creating.
	t.Cleanup(func() { deleteBranchNamed(nc, project, name, created.Branch.ID) })
	if err != nil {
		t.Fatalf("WK-4: create Neon branch %q from %s at %s: %v", name, parent.Name, at.Format(time.RFC3339), err)
	}
	if created.Branch.Name == "" {
		created.Branch.Name = name
	}
	err = check.PollFor(ctx, config.RestoreTimeout, cfg.Duration(config.RestoreTimeout), func(ctx context.Context) error {
		bs, err := nc.Branches(ctx, project)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.ID == created.Branch.ID {
				if b.CurrentState == "ready" {
					return nil
				}
				return fmt.Errorf("branch %s is %s", name, b.CurrentState)
			}
		}
		return check.Permanent(fmt.Errorf("branch %s vanished", name))
	})
	if err != nil {
		t.Fatalf("WK-4: restored branch not ready within %s (%s): %v", cfg.Duration(config.RestoreTimeout), config.RestoreTimeout, err)
	}
	ttr := time.Since(start)
	check.Evidence(t, "time_to_restore", ttr.Round(time.Millisecond))
	check.Evidence(t, "restore_point", at.Format(time.RFC3339))
	return created, ttr
}

// restoredEnv aims the environment at the restored branch: of its
// connection URIs (one per role/database pair, in no documented order) the
// one of DATABASE_URL's database and role.
func restoredEnv(env *target.Env, created neon.CreatedBranch) (*target.Env, string, error) {
	wantDB, wantRole := pgDatabaseRole(env.Cfg.Get(config.DatabaseURL))
	dsn, err := neon.PickConnectionURI(created.ConnectionURIs, wantDB, wantRole)
	if err != nil {
		return nil, "", err
	}
	benv, err := env.With(map[string]string{config.DatabaseURL: dsn})
	return benv, dsn, err
}

// restoredSide is what WK-4 reads on the restored branch in one transaction.
type restoredSide struct {
	counts   map[string]tableCount
	roles    string          // users by default_mode
	triggers map[string]bool // enabled invariant triggers
}

// restoredCounts reads the restored branch: row counts at the restore
// point, users by role, and which invariant triggers are enabled (DB-2's
// catalog half; the behavioural proof needs a scratch copy and is DB-2's job).
func restoredCounts(t check.T, ctx context.Context, cfg *config.Config, dsn string, tables []string, at time.Time) restoredSide {
	t.Helper()
	var got restoredSide
	if err := pg.Query(ctx, dsn, cfg.Duration(config.StatementTimeout), func(tx pgx.Tx) error {
		var err error
		if got.counts, err = countRows(ctx, tx, tables, at); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(string_agg(default_mode || '=' || n, ' ' ORDER BY default_mode), '')
			FROM (SELECT default_mode, count(*) n FROM users GROUP BY default_mode) x`).Scan(&got.roles); err != nil {
			return err
		}
		got.triggers, err = enabledTriggers(ctx, tx)
		return err
	}); err != nil {
		t.Fatalf("WK-4: restored branch %s: %v", pg.Host(dsn), err)
	}
	check.Evidence(t, "users_by_role", orNone(got.roles))
	return got
}

// compareCounts fails for every table that lost rows that existed at the
// restore point; a restore of nothing but empty tables proves nothing.
func compareCounts(t check.T, tables []string, want map[string]tableCount, got restoredSide, at time.Time) {
	t.Helper()
	var compared, lost []string
	var nonEmpty int
	for _, tb := range tables {
		w, g := want[tb], got.counts[tb]
		compared = append(compared, fmt.Sprintf("%s %d/%d", tb, g.Primary, w.Primary))
		if w.Primary > 0 {
			nonEmpty++
		}
		if g.Primary < w.Primary {
			how := "rows"
			if w.TimeColumn != "" {
				how = "rows with " + w.TimeColumn + " ≤ restore point"
			}
			lost = append(lost, fmt.Sprintf("%s: %d of %d %s missing", tb, w.Primary-g.Primary, w.Primary, how))
		}
	}
	check.Evidence(t, "row_counts", "restored/primary: "+strings.Join(compared, ", "))
	if len(lost) > 0 {
		t.Errorf("WK-4: the restored branch lost rows that existed at %s: %s", at.Format(time.RFC3339), strings.Join(lost, "; "))
	}
	if nonEmpty == 0 {
		check.Unverified(t, "no compared table has rows older than the restore point (%s): the restore proves nothing (widen %s)",
			at.Format(time.RFC3339), config.RestorePointAgo)
	}
}

// recordRB2 records RB-2's dated proof that point-in-time recovery works
// (the branch is deleted in cleanup).
func recordRB2(t check.T, env *target.Env, at time.Time, ttr time.Duration) {
	t.Helper()
	cfg := env.Cfg
	note, err := drill.Record(cfg, drill.Result{Row: "RB-2", At: time.Now(), Target: string(cfg.Target), Run: env.Tag(),
		Result: fmt.Sprintf("branch restored to %s in %s, row counts and database checks passed, deleted", at.Format(time.RFC3339), ttr.Round(time.Millisecond))})
	if err != nil {
		t.Errorf("WK-4: restore passed but the RB-2 drill result could not be recorded: %v", err)
		return
	}
	check.Evidence(t, "rb2_drill", note)
}

// enabledTriggers reads which of the invariant triggers exist and are enabled.
func enabledTriggers(ctx context.Context, tx pgx.Tx) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgname = ANY($1) AND t.tgenabled IN ('O','A')`, invariantTriggerNames())
	if err != nil {
		return nil, fmt.Errorf("trigger catalog: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("trigger catalog: %w", err)
	}
	enabled := map[string]bool{}
	for _, n := range names {
		enabled[n] = true
	}
	return enabled, nil
}

func invariantTriggerNames() []string {
	names := make([]string, len(dbcheck.InvariantTriggers))
	for i, tr := range dbcheck.InvariantTriggers {
		names[i] = tr.Name
	}
	return names
}

// judgeTriggers is DB-2's catalog half on the restored branch: every
// invariant trigger exists and is enabled.
func judgeTriggers(t check.T, enabled map[string]bool) {
	t.Helper()
	names := invariantTriggerNames()
	var missing []string
	for _, n := range names {
		if !enabled[n] {
			missing = append(missing, n)
		}
	}
	check.Evidence(t, "restored_triggers", fmt.Sprintf("%d/%d invariant triggers enabled", len(names)-len(missing), len(names)))
	if len(missing) > 0 {
		t.Errorf("restored branch: invariant triggers missing or disabled: %s", strings.Join(missing, ", "))
	}
}

// deleteBranchNamed deletes the branch (by id, or found by name), with its
// own deadline so cleanup runs after the check's context ended.
func deleteBranchNamed(nc *neon.Client, project, name, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if id == "" {
		bs, err := nc.Branches(ctx, project)
		if err != nil {
			return
		}
		b, ok := neon.FindBranch(bs, name)
		if !ok {
			return
		}
		id = b.ID
	}
	nc.DeleteBranch(ctx, project, id)
}

// pgDatabaseRole returns the database and role of a Postgres connection string.
func pgDatabaseRole(dsn string) (db, role string) {
	c, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", ""
	}
	return c.Database, c.User
}
