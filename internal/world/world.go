// Package world builds the rehearsal: a Postgres with the HustleXP-compatible
// schema, a Redis, and whatever components (stand-in API, SaaS fakes) the
// harness registers. The infrastructure (Postgres server with the template
// database, Redis, the Firebase Auth emulator) can be shared by every test
// binary of a run (StartInfra in one process, Attach in each binary); each
// binary still gets its own database, Redis logical database and in-process
// components.
package world

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/fixtures"
	"github.com/hustlexp/launchcheck/internal/config"
)

// Database names inside the rehearsal Postgres.
const (
	TemplateDB       = "hustlexp_template" // pristine schema, never connected to after build
	MainDB           = "hustlexp"          // what the stand-in and the checks use
	ReadOnlyRole     = "launchcheck_ro"    // SELECT-only role the live-mode checks run as
	ReadOnlyPassword = "launchcheck-ro-rehearsal"
)

// World is a running rehearsal.
type World struct {
	Provider  string // urls | testcontainers | binaries
	ServerDSN string // superuser DSN of the server (database "postgres")
	RedisURL  string
	Dir       string // scratch directory of this world
	Started   time.Duration
	// FirebaseHost is the Firebase Auth emulator shared by the run (host:port),
	// empty when this world starts its own (or the in-process fake).
	FirebaseHost string
	// FirebaseReady is the run's readiness file of that emulator (Infra).
	FirebaseReady string
	// RedisDBs is how many logical databases the Redis server has (Attach
	// gives each binary its own); 0 when unknown.
	RedisDBs int
	// Slow lists the components that took 0.5 s or more to start ("name 1.2s").
	Slow []string

	mainDB string

	mu      sync.Mutex
	env     map[string]string
	closers []func()
	clones  int
}

// Component is something the harness starts inside the world after the
// databases are ready: the stand-in API, a SaaS fake, …
type Component struct {
	Name  string
	Order int // lower starts first
	Start func(ctx context.Context, w *World) error
}

// Start builds a world: Postgres and Redis from the first provider that works,
// the schema applied, a read-only role, then the components in order.
func Start(ctx context.Context, cfg *config.Config, comps []Component) (w *World, err error) {
	begin := time.Now()
	dir, err := os.MkdirTemp("", "launchcheck-world-")
	if err != nil {
		return nil, err
	}
	w = &World{Dir: dir, env: map[string]string{}, mainDB: MainDB}
	defer func() {
		if err != nil {
			w.Close()
			w = nil
		}
	}()
	if !cfg.Bool(config.RehearsalKeep) {
		w.OnClose(func() { os.RemoveAll(dir) })
	}
	if err = startInfra(ctx, cfg, w); err != nil {
		return w, err
	}
	if err = w.buildDatabases(ctx); err != nil {
		return w, fmt.Errorf("rehearsal schema: %w", err)
	}
	if err = w.startComponents(ctx, comps); err != nil {
		return w, err
	}
	w.Started = time.Since(begin)
	return w, nil
}

// startComponents points the configuration at the world's databases and
// starts the components in order.
func (w *World) startComponents(ctx context.Context, comps []Component) (err error) {
	dir := w.Dir
	w.SetEnv(config.DatabaseURL, w.DSN(w.mainDB, ReadOnlyRole, ReadOnlyPassword))
	// Trigger probes write inside rolled-back transactions: the rehearsal's
	// own database is their scratch copy.
	w.SetEnv(config.ScratchDatabaseURL, w.AdminDSN())
	// launchcheck sweep needs DELETE rights; in the rehearsal that is the owner.
	w.SetEnv(config.SweepDatabaseURL, w.AdminDSN())
	w.SetEnv(config.RedisURL, w.RedisURL)
	expected := filepath.Join(dir, "expected-migrations.txt")
	if err = os.WriteFile(expected, []byte(fixtures.AppliedMigrations), 0o644); err != nil {
		return err
	}
	w.SetEnv(config.ExpectedMigrations, expected)
	comps = append([]Component(nil), comps...)
	sort.SliceStable(comps, func(i, j int) bool { return comps[i].Order < comps[j].Order })
	for _, c := range comps {
		t0 := time.Now()
		if err = c.Start(ctx, w); err != nil {
			return fmt.Errorf("rehearsal component %s: %w", c.Name, err)
		}
		if d := time.Since(t0); d >= 500*time.Millisecond {
			w.Slow = append(w.Slow, fmt.Sprintf("%s %s", c.Name, d.Round(10*time.Millisecond)))
		}
	}
	return nil
}

// Close tears everything down in reverse order.
func (w *World) Close() {
	w.mu.Lock()
	cl := w.closers
	w.closers = nil
	w.mu.Unlock()
	for i := len(cl) - 1; i >= 0; i-- {
		cl[i]()
	}
}

// OnCloseLast registers a teardown step that runs after every other one.
func (w *World) OnCloseLast(f func()) {
	w.mu.Lock()
	w.closers = append([]func(){f}, w.closers...)
	w.mu.Unlock()
}

// OnClose registers a teardown step.
func (w *World) OnClose(f func()) { w.mu.Lock(); w.closers = append(w.closers, f); w.mu.Unlock() }

// SetEnv records a configuration value that points a check at the world.
func (w *World) SetEnv(k, v string) { w.mu.Lock(); w.env[k] = v; w.mu.Unlock() }

// Env returns a copy of the configuration values of the world.
func (w *World) Env() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]string, len(w.env))
	for k, v := range w.env {
		out[k] = v
	}
	return out
}

// DSN returns a DSN for database db on the world's server. user/password
// empty means the superuser of the server DSN.
func (w *World) DSN(db, user, password string) string {
	u, _ := url.Parse(w.ServerDSN)
	u.Path = "/" + db
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// MainDBName is the database the stand-in and the checks use: MainDB in a
// world of its own, a per-binary copy of the template in an attached world.
func (w *World) MainDBName() string { return w.mainDB }

// AdminDSN is the superuser DSN of the main database (for the stand-in and fault injection).
func (w *World) AdminDSN() string { return w.DSN(w.mainDB, "", "") }

func (w *World) buildDatabases(ctx context.Context) error {
	if err := w.buildTemplate(ctx); err != nil {
		return err
	}
	return w.createFromTemplate(ctx, w.mainDB, true)
}

// buildTemplate (re)creates the template database with the schema and the
// read-only role.
func (w *World) buildTemplate(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, w.ServerDSN)
	if err != nil {
		return fmt.Errorf("connect to rehearsal Postgres: %w", err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		"DROP DATABASE IF EXISTS " + TemplateDB + " WITH (FORCE)",
		"CREATE DATABASE " + TemplateDB,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN
			CREATE ROLE %s LOGIN PASSWORD '%s';
		END IF; END $$`, ReadOnlyRole, ReadOnlyRole, ReadOnlyPassword)); err != nil {
		return fmt.Errorf("create read-only role: %w", err)
	}
	tconn, err := pgx.Connect(ctx, w.DSN(TemplateDB, "", ""))
	if err != nil {
		return err
	}
	if err := ApplySchema(ctx, tconn); err != nil {
		tconn.Close(ctx)
		return err
	}
	grant := fmt.Sprintf(`GRANT USAGE ON SCHEMA public TO %[1]s;
		GRANT SELECT ON ALL TABLES IN SCHEMA public TO %[1]s;
		ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %[1]s;`, ReadOnlyRole)
	if _, err := tconn.Exec(ctx, grant); err != nil {
		tconn.Close(ctx)
		return fmt.Errorf("grant read-only role: %w", err)
	}
	tconn.Close(ctx)
	return nil
}

// createFromTemplate creates database name as a copy of the template
// (dropping an old one first when replace), retrying while another session
// briefly holds the template (concurrent clones of one run).
func (w *World) createFromTemplate(ctx context.Context, name string, replace bool) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, w.ServerDSN)
	if err != nil {
		return fmt.Errorf("connect to rehearsal Postgres: %w", err)
	}
	defer conn.Close(ctx)
	if replace {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	for {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+TemplateDB)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "55006") || ctx.Err() != nil {
			return fmt.Errorf("create %s from template: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create %s from template: %w", name, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ApplySchema runs fixtures/schema/*.sql in lexical order.
func ApplySchema(ctx context.Context, conn *pgx.Conn) error {
	names, err := fs.Glob(fixtures.Schema, "schema/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		sql, err := fs.ReadFile(fixtures.Schema, n)
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// CloneDB creates a fresh copy of the pristine schema for a self-test that
// injects database faults, and returns its superuser DSN; drop removes it.
func (w *World) CloneDB(ctx context.Context) (dsn string, drop func(), err error) {
	w.mu.Lock()
	w.clones++
	name := fmt.Sprintf("hustlexp_fault_%d_%d", os.Getpid(), w.clones)
	w.mu.Unlock()
	if err := w.createFromTemplate(ctx, name, false); err != nil {
		return "", nil, fmt.Errorf("clone rehearsal database: %w", err)
	}
	return w.DSN(name, "", ""), func() { w.dropDB(name) }, nil
}

// dropDB removes a database of the world (best effort, bounded).
func (w *World) dropDB(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, w.ServerDSN)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// ReadOnly returns the read-only-role DSN of a database given by its superuser DSN.
func ReadOnly(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.User = url.UserPassword(ReadOnlyRole, ReadOnlyPassword)
	return u.String()
}

func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.TrimPrefix(u.Host, "")
}
