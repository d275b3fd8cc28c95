package harness

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/pgrestore"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// NeonRestorer makes a Neon fake's branch creation real in the rehearsal:
// each new branch is a pg_dump/pg_restore copy of a source database of the
// world's Postgres, dropped again when the branch is deleted (or the world
// closes).
type NeonRestorer struct {
	w    *world.World
	src  string
	opt  pgrestore.Options
	mu   sync.Mutex
	n    int
	dbs  map[string]func() // branch name → drop
	fake *neonfake.Fake
}

// NewNeonRestorer restores database src (a name on the world's server).
func NewNeonRestorer(w *world.World, f *neonfake.Fake, src string, o pgrestore.Options) *NeonRestorer {
	r := &NeonRestorer{w: w, src: src, opt: o, dbs: map[string]func(){}, fake: f}
	w.OnClose(r.dropAll)
	return r
}

// Install sets the fake's OnCreate/OnDelete hooks (keeping an existing
// OnDelete chained) unless another component already handles creation.
func (r *NeonRestorer) Install() {
	r.fake.Update(func(st *neonfake.State) {
		if st.OnCreate != nil {
			return
		}
		st.OnCreate = r.Create
		// Neon lists a branch's URI under the parent's database (the
		// source) and the role of DATABASE_URL; the restored copy has
		// another name on the world's server
		st.BranchNames = func() (string, string) {
			c, err := pgx.ParseConfig(r.w.Env()[config.DatabaseURL])
			if err != nil {
				return "", ""
			}
			return r.src, c.User
		}
		prev := st.OnDelete
		st.OnDelete = func(id string) {
			r.Deleted(id)
			if prev != nil {
				prev(id)
			}
		}
	})
}

// Create restores the source into a fresh database for branch name.
func (r *NeonRestorer) Create(name string, at time.Time) (string, error) {
	r.mu.Lock()
	r.n++
	dst := fmt.Sprintf("hustlexp_branch_%d_%d", os.Getpid(), r.n)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dsn, drop, err := pgrestore.Restore(ctx, r.w.ServerDSN, r.src, dst, r.opt)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.dbs[name] = drop
	r.mu.Unlock()
	return dsn, nil
}

// Deleted drops the databases of branches the fake no longer has.
func (r *NeonRestorer) Deleted(string) {
	live := map[string]bool{}
	for _, b := range r.fake.Snapshot().Branches {
		live[b.Name] = true
	}
	r.mu.Lock()
	var drops []func()
	for name, drop := range r.dbs {
		if !live[name] {
			drops = append(drops, drop)
			delete(r.dbs, name)
		}
	}
	r.mu.Unlock()
	for _, d := range drops {
		d()
	}
}

// Open returns how many restored databases are still present.
func (r *NeonRestorer) Open() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.dbs) }

func (r *NeonRestorer) dropAll() {
	r.mu.Lock()
	var drops []func()
	for name, d := range r.dbs {
		drops = append(drops, d)
		delete(r.dbs, name)
	}
	r.mu.Unlock()
	for _, d := range drops {
		d()
	}
}

func init() {
	Register(world.Component{Name: "neon-restore", Order: 25, Start: func(ctx context.Context, w *world.World) error {
		f := partsOf(w).Neon
		ok := f != nil
		if !ok {
			return nil
		}
		r := NewNeonRestorer(w, f, w.MainDBName(), pgrestore.Options{})
		r.Install()
		partsOf(w).NeonRestore = r
		// The rehearsal's rows are seconds old: restore "one hour ago" would
		// compare nothing, so the rehearsal restores from (about) now. The
		// restore point is truncated to the second (Neon's precision), so the
		// world's ledger rows must be at least a second old: wait for that
		// once, if the components before this one were quicker.
		w.SetEnv(config.RestorePointAgo, "1ms")
		if conn, err := pgx.Connect(ctx, w.AdminDSN()); err == nil {
			var newest time.Time
			if conn.QueryRow(ctx, "SELECT max(applied_at) FROM applied_migrations").Scan(&newest) == nil {
				if wait := time.Until(newest.Add(1100 * time.Millisecond)); wait > 0 && wait < 2*time.Second {
					time.Sleep(wait)
				}
			}
			conn.Close(ctx)
		}
		return nil
	}})
}
