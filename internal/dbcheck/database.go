// Package dbcheck holds the Database checks (DB-1, DB-2, DB-4, DB-5) that
// both phases run: launch declares them as its rows, and postlaunch's WK-4
// restore drill runs the read-only ones on the restored branch, without
// depending on package launch.
package dbcheck

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/tssource"
)

// ExpectedSchemaVersions are the baseline's schema_versions rows (contract §8.1).
var ExpectedSchemaVersions = []string{"1.0.0", "1.1.0", "1.2.0"}

// ReadOnly runs fn in a READ ONLY transaction on the target database.
func ReadOnly(t check.T, env *target.Env, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	check.Need(t, env.Cfg, config.DatabaseURL)
	ctx := check.Ctx(t, env.Cfg)
	err := pg.Query(ctx, env.Cfg.Get(config.DatabaseURL), env.Cfg.Duration(config.StatementTimeout),
		func(tx pgx.Tx) error { return fn(ctx, tx) })
	if err != nil {
		t.Fatalf("database %s: %v", pg.Host(env.Cfg.Get(config.DatabaseURL)), err)
	}
}

// MigrationsApplied checks DB-1: All migrations applied (`schema_versions` table current).
func MigrationsApplied(t check.T, env *target.Env) {
	t.Helper()
	want, source, err := expectedMigrations(env.Cfg)
	if err != nil {
		check.NotConfigured(t, env.Cfg, err.Error())
		return
	}
	var versions, applied []string
	var newest string
	var newestAt time.Time
	ReadOnly(t, env, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if versions, err = strings1(ctx, tx, "SELECT version FROM schema_versions ORDER BY version"); err != nil {
			return fmt.Errorf("read schema_versions: %w", err)
		}
		if applied, err = strings1(ctx, tx, "SELECT name FROM applied_migrations ORDER BY applied_at, name"); err != nil {
			return fmt.Errorf("read applied_migrations: %w", err)
		}
		err = tx.QueryRow(ctx, "SELECT name, applied_at FROM applied_migrations ORDER BY applied_at DESC, name DESC LIMIT 1").Scan(&newest, &newestAt)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		return err
	})
	check.Evidence(t, "schema_versions", strings.Join(versions, ","))
	check.Evidence(t, "applied_migrations", fmt.Sprintf("%d applied, %d expected (%s)", len(applied), len(want), source))
	if newest != "" {
		check.Evidence(t, "newest_applied", fmt.Sprintf("%s at %s", newest, newestAt.UTC().Format(time.RFC3339)))
	}
	if missing := minus(ExpectedSchemaVersions, versions); len(missing) > 0 {
		t.Errorf("schema_versions lacks %s (has %s): the constitutional baseline is incomplete", strings.Join(missing, ", "), strings.Join(versions, ", "))
	}
	if missing := minus(want, applied); len(missing) > 0 {
		t.Errorf("applied_migrations lacks %d of %d expected migrations: %s (newest applied: %s); run the migration runner (npm start applies them before serving)",
			len(missing), len(want), strings.Join(first(missing, 10), ", "), newest)
	}
}

// ManifestFromRepo reports whether DB-1 reads its expected names from the
// backend checkout (HUSTLEXP_REPO_DIR, no HUSTLEXP_EXPECTED_MIGRATIONS): the
// launch row then ties that checkout to the deployed revision first.
func ManifestFromRepo(cfg *config.Config) bool {
	return cfg.Get(config.ExpectedMigrations) == "" && cfg.Get(config.RepoDir) != ""
}

// expectedMigrations reads the expected names from HUSTLEXP_EXPECTED_MIGRATIONS
// or the backend's manifest in HUSTLEXP_REPO_DIR (HUSTLEXP_MIGRATION_MANIFEST,
// by default the real backend/src/jobs/engine-automation-migration-files.ts).
func expectedMigrations(cfg *config.Config) ([]string, string, error) {
	if p := cfg.Get(config.ExpectedMigrations); p != "" {
		names, err := readManifest(p)
		return names, filepath.Base(p), err
	}
	repo := cfg.Get(config.RepoDir)
	if repo == "" {
		return nil, "", fmt.Errorf("%s or %s not set (the expected migration names)", config.ExpectedMigrations, config.RepoDir)
	}
	rel := cfg.Get(config.MigrationManifest)
	if rel == "" {
		return nil, "", fmt.Errorf("%s is empty: set it to the backend's migration manifest relative to %s (the backend's is %s)", config.MigrationManifest, config.RepoDir, config.DefaultMigrationManifest)
	}
	p := filepath.Join(repo, rel)
	if _, err := os.Stat(p); err != nil {
		return nil, "", fmt.Errorf("no migration manifest at %s in %s (%v); set %s to its path relative to %s", rel, config.RepoDir, err, config.MigrationManifest, config.RepoDir)
	}
	names, err := readManifest(p)
	return names, rel, err
}

// ManifestArray is the export of the backend's manifest whose entries are
// { name, fileName }: name is what applied_migrations.name holds.
const ManifestArray = "REQUIRED_MIGRATION_FILES"

var (
	// an object key name (quoted or not, never fileName) followed by a string literal
	manifestNameKey = regexp.MustCompile(`(?:^|[^A-Za-z0-9_$])["']?name["']?\s*:\s*(?:"([^"\n]*)"|'([^'\n]*)'|` + "`([^`\n]*)`" + `)`)
	stringLiteral   = regexp.MustCompile(`"([^"\n]*)"|'([^'\n]*)'|` + "`([^`\n]*)`")
)

// readManifest accepts one name per line (.txt or no extension), or a JSON/TS/JS
// manifest: the entries of the REQUIRED_MIGRATION_FILES array (or, without
// it, of the file's first array). Object entries contribute their name key
// only (never fileName); string entries are names themselves.
func readManifest(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read migration manifest: %w", err)
	}
	text := string(b)
	var names []string
	ext := filepath.Ext(path)
	if ext == ".txt" || ext == "" {
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				names = append(names, l)
			}
		}
	} else {
		body, err := manifestArray(tssource.StripComments(text))
		if err != nil {
			return nil, fmt.Errorf("migration manifest %s: %w", filepath.Base(path), err)
		}
		names = manifestNames(body)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("migration manifest %s lists no names", filepath.Base(path))
	}
	return names, nil
}

// manifestNames: with object entries, each entry's name; otherwise every
// string literal of the array.
func manifestNames(body string) []string {
	pick := func(m []string) string {
		for _, g := range m[1:] {
			if g != "" {
				return g
			}
		}
		return ""
	}
	var names []string
	if strings.Contains(body, "{") {
		for _, m := range manifestNameKey.FindAllStringSubmatch(body, -1) {
			if n := pick(m); n != "" {
				names = append(names, n)
			}
		}
		return names
	}
	for _, m := range stringLiteral.FindAllStringSubmatch(body, -1) {
		if n := pick(m); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// manifestArray returns the text between the brackets of the
// REQUIRED_MIGRATION_FILES array literal (or of the first array when the file
// does not name it: a JSON manifest).
func manifestArray(text string) (string, error) {
	start := 0
	if i := strings.Index(text, ManifestArray); i >= 0 {
		eq := strings.Index(text[i:], "=")
		if eq < 0 {
			return "", fmt.Errorf("%s is not assigned an array", ManifestArray)
		}
		start = i + eq
	} else if !strings.HasPrefix(strings.TrimSpace(text), "[") {
		return "", fmt.Errorf("no %s array (the backend's manifest exports it)", ManifestArray)
	}
	open := strings.Index(text[start:], "[")
	if open < 0 {
		return "", fmt.Errorf("%s is not assigned an array", ManifestArray)
	}
	open += start
	depth := 0
	var quote byte
	for i := open; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return text[open+1 : i], nil
			}
		}
	}
	return "", fmt.Errorf("%s: unterminated array", ManifestArray)
}

// Trigger is one invariant trigger of the contract (§8.3).
type Trigger struct {
	Name, Table, Event, Function, SQLState string
}

// InvariantTriggers are the five triggers the checklist names.
var InvariantTriggers = []Trigger{
	{"xp_requires_released_escrow", "xp_ledger", "INSERT", "enforce_xp_requires_released_escrow", "HX101"},
	{"escrow_released_requires_completed_task", "escrows", "UPDATE", "enforce_released_requires_completed", "HX201"},
	{"task_completed_requires_accepted_proof", "tasks", "UPDATE", "enforce_completed_requires_accepted_proof", "HX301"},
	{"task_terminal_guard", "tasks", "UPDATE", "prevent_task_terminal_mutation", "HX001"},
	{"escrow_terminal_guard", "escrows", "UPDATE", "prevent_escrow_terminal_mutation", "HX002"},
}

// InvariantTriggersActive checks DB-2: 5 invariant triggers verified active —
// the catalog on the target, and a behavioural proof on a scratch copy.
func InvariantTriggersActive(t check.T, env *target.Env) {
	t.Helper()
	names := make([]string, len(InvariantTriggers))
	table := map[string]string{}
	for i, tr := range InvariantTriggers {
		names[i], table[tr.Name] = tr.Name, tr.Table
	}
	type row struct{ table, fn, enabled, def, src string }
	found := map[string]row{}
	ReadOnly(t, env, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT t.tgname, c.relname, p.proname, t.tgenabled::text, pg_get_triggerdef(t.oid), coalesce(p.prosrc, '')
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
			WHERE NOT t.tgisinternal AND t.tgname = ANY($1)`, names)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			var r row
			if err := rows.Scan(&n, &r.table, &r.fn, &r.enabled, &r.def, &r.src); err != nil {
				return err
			}
			// a trigger name is unique per table only: the one on the
			// contract's table is judged, a copy elsewhere does not hide it
			if prev, dup := found[n]; !dup || prev.table != table[n] {
				found[n] = r
			}
		}
		return rows.Err()
	})
	active := 0
	for _, tr := range InvariantTriggers {
		r, ok := found[tr.Name]
		switch {
		case !ok:
			t.Errorf("trigger %s: missing on %s (re-run the migration that creates it)", tr.Name, tr.Table)
		case r.table != tr.Table:
			t.Errorf("trigger %s: on table %s, want %s", tr.Name, r.table, tr.Table)
		case r.fn != tr.Function:
			t.Errorf("trigger %s: calls %s(), want %s()", tr.Name, r.fn, tr.Function)
		case r.enabled != "O" && r.enabled != "A":
			t.Errorf("trigger %s: tgenabled = '%s', want 'O' (ALTER TABLE %s ENABLE TRIGGER %s)", tr.Name, r.enabled, tr.Table, tr.Name)
		case !strings.Contains(r.def, "BEFORE "+tr.Event) && !strings.Contains(r.def, "BEFORE INSERT OR "+tr.Event):
			t.Errorf("trigger %s: %q, want BEFORE %s", tr.Name, r.def, tr.Event)
		case !strings.Contains(r.def, "FOR EACH ROW"):
			t.Errorf("trigger %s: %q, want FOR EACH ROW", tr.Name, r.def)
		case !strings.Contains(r.src, tr.SQLState):
			t.Errorf("trigger %s: function %s() never raises SQLSTATE %s (body replaced?)", tr.Name, tr.Function, tr.SQLState)
		default:
			active++
		}
	}
	check.Evidence(t, "catalog", fmt.Sprintf("%d/5 triggers enabled, BEFORE, FOR EACH ROW, right function", active))
	proveTriggers(t, env)
}

// proveTriggers attempts each of the five violations on the scratch database
// inside one transaction that is always rolled back.
func proveTriggers(t check.T, env *target.Env) {
	t.Helper()
	scratch := env.Cfg.Get(config.ScratchDatabaseURL)
	if scratch == "" {
		check.NotConfigured(t, env.Cfg, config.ScratchDatabaseURL+" not set: the behavioural trigger proof needs a scratch copy (e.g. a Neon branch); it never writes to the primary")
		return
	}
	if samePlace(scratch, env.Cfg.Get(config.DatabaseURL)) && env.Cfg.Live() {
		t.Fatalf("%s points at the same database as %s: refusing to run write probes on the primary", config.ScratchDatabaseURL, config.DatabaseURL)
	}
	ctx := check.Ctx(t, env.Cfg)
	conn, err := pg.Connect(ctx, scratch, env.Cfg.Duration(config.StatementTimeout))
	if err != nil {
		t.Fatalf("scratch database: %v", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	results, err := RunTriggerProbes(ctx, conn)
	if err != nil {
		t.Fatalf("trigger probe setup on scratch %s: %v", pg.Host(scratch), err)
	}
	proven := 0
	for _, r := range results {
		switch {
		case r.Got == "" && r.Err == nil:
			t.Errorf("trigger %s did not fire: %s was allowed (want SQLSTATE %s) — its function is a no-op or the trigger is off", r.Trigger, r.Violation, r.Want)
		case r.Got != r.Want:
			t.Errorf("trigger %s: %s raised SQLSTATE %q (%v), want %s", r.Trigger, r.Violation, r.Got, r.Err, r.Want)
		default:
			proven++
		}
	}
	check.Evidence(t, "behaviour", fmt.Sprintf("%d/%d violations refused with the contract SQLSTATE on %s", proven, len(results), pg.Host(scratch)))
	if probed := probedTriggers(results); len(probed) != len(InvariantTriggers) {
		t.Errorf("behaviour probe judged %d of the %d invariant triggers (%s): a trigger without a probe is not proven", len(probed), len(InvariantTriggers), strings.Join(probed, ", "))
	}
}

// probedTriggers names the distinct invariant triggers the probe results cover.
func probedTriggers(results []ProbeResult) []string {
	seen := map[string]bool{}
	var out []string
	for _, tr := range InvariantTriggers {
		for _, r := range results {
			if r.Trigger == tr.Name && !seen[tr.Name] {
				seen[tr.Name] = true
				out = append(out, tr.Name)
			}
		}
	}
	return out
}

func samePlace(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return ua.Hostname() == ub.Hostname() && ua.Port() == ub.Port() && ua.Path == ub.Path
}

// PerformanceIndexes are the 15 indexes of performance_indexes_v1 and their
// tables, as the real backend creates them (captures 42): the two
// idx_matching_scores_* live on task_matching_scores.
var PerformanceIndexes = map[string]string{
	"idx_matching_scores_hustler_feed":     "task_matching_scores",
	"idx_matching_scores_hustler_distance": "task_matching_scores",
	"idx_tasks_state_category":             "tasks",
	"idx_tasks_state_price":                "tasks",
	"idx_tasks_actionable_feed":            "tasks",
	"idx_tasks_worker_active":              "tasks",
	"idx_escrows_task_state":               "escrows",
	"idx_disputes_worker_active":           "disputes",
	"idx_task_messages_task_created":       "task_messages",
	"idx_xp_ledger_user_created":           "xp_ledger",
	"idx_task_ratings_ratee":               "task_ratings",
	"idx_notifications_user_created":       "notifications",
	"idx_notifications_user_unread":        "notifications",
	"idx_outbox_events_unprocessed":        "outbox_events",
	"idx_proofs_task_state":                "proofs",
}

// PerformanceIndexesCreated checks DB-4: Performance indexes created (`performance_indexes_v1`).
func PerformanceIndexesCreated(t check.T, env *target.Env) {
	t.Helper()
	names := make([]string, 0, len(PerformanceIndexes))
	for n := range PerformanceIndexes {
		names = append(names, n)
	}
	sort.Strings(names)
	var ledger bool
	type idx struct {
		table string
		valid bool
		ready bool
	}
	got := map[string]idx{}
	ReadOnly(t, env, func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM applied_migrations WHERE name = 'performance_indexes_v1')").Scan(&ledger); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT ic.relname, tc.relname, i.indisvalid, i.indisready
			FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
			JOIN pg_namespace n ON n.oid = ic.relnamespace
			WHERE n.nspname = 'public' AND ic.relname = ANY($1)`, names)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			var x idx
			if err := rows.Scan(&n, &x.table, &x.valid, &x.ready); err != nil {
				return err
			}
			got[n] = x
		}
		return rows.Err()
	})
	if !ledger {
		t.Errorf("applied_migrations has no 'performance_indexes_v1' row: the migration never ran")
	}
	ok := 0
	for _, n := range names {
		x, present := got[n]
		switch {
		case !present:
			t.Errorf("index %s missing on %s (performance_indexes_v1)", n, PerformanceIndexes[n])
		case x.table != PerformanceIndexes[n]:
			t.Errorf("index %s is on %s, want %s", n, x.table, PerformanceIndexes[n])
		case !x.valid || !x.ready:
			t.Errorf("index %s is invalid (indisvalid=%t, indisready=%t): a failed CREATE INDEX CONCURRENTLY; REINDEX INDEX CONCURRENTLY %s", n, x.valid, x.ready, n)
		default:
			ok++
		}
	}
	check.Evidence(t, "indexes", fmt.Sprintf("%d/%d valid", ok, len(names)))
}

// BackupsConfigured checks DB-5: Backup schedule configured (Neon automated backups).
func BackupsConfigured(t check.T, env *target.Env) {
	t.Helper()
	p := NeonProject(t, env)
	ctx, c := check.Ctx(t, env.Cfg), NeonClient(env)
	minDays := env.Cfg.Int(config.MinPITRDays)
	got := p.Retention()
	check.Evidence(t, "pitr_window", fmt.Sprintf("%.1f days (want ≥ %d)", got.Hours()/24, minDays))
	if got < time.Duration(minDays)*24*time.Hour {
		t.Errorf("Neon project %s history retention (PITR window) = %.1f days, want ≥ %d (raise it in the Neon console: Settings → Storage → History retention)",
			p.ID, got.Hours()/24, minDays)
	}
	bs, err := c.Branches(ctx, p.ID)
	if err != nil {
		t.Fatalf("%v", err)
	}
	name := env.Cfg.Get(config.NeonBranch)
	b, ok := neon.FindBranch(bs, name)
	if !ok {
		t.Fatalf("Neon project %s has no branch %q (branches: %s); set %s", p.ID, name, BranchNames(bs), config.NeonBranch)
	}
	check.Evidence(t, "branch", fmt.Sprintf("%s default=%t protected=%t", b.Name, b.Default, b.Protected))
	if !b.Default && !b.Protected {
		t.Errorf("Neon branch %q is neither the default nor a protected branch: production must be the default (or protected) branch", name)
	}
}

// NeonProject reads the target's Neon project (DB-5 and RB-2 judge it).
func NeonProject(t check.T, env *target.Env) neon.Project {
	t.Helper()
	check.Need(t, env.Cfg, config.NeonAPIKey, config.NeonProjectID)
	p, err := NeonClient(env).Project(check.Ctx(t, env.Cfg), env.Cfg.Get(config.NeonProjectID))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// NeonClient builds a Neon API client from the target's configuration.
func NeonClient(env *target.Env) *neon.Client {
	return &neon.Client{BaseURL: env.Cfg.Get(config.NeonAPIURL), APIKey: env.Cfg.Get(config.NeonAPIKey), Timeout: env.Cfg.Duration(config.HTTPTimeout)}
}

func BranchNames(bs []neon.Branch) string {
	var n []string
	for _, b := range bs {
		n = append(n, b.Name)
	}
	return strings.Join(n, ", ")
}

func strings1(ctx context.Context, tx pgx.Tx, q string) ([]string, error) {
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func minus(want, have []string) []string {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	var out []string
	for _, w := range want {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… %d more", len(s)-n))
	}
	return s
}
