package world

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Infra is what one process starts for a whole run and every test binary of
// the run attaches to: the Postgres server with the template database and the
// read-only role, Redis, and (set by the caller) a Firebase Auth emulator.
type Infra struct {
	Provider     string `json:"provider"`
	ServerDSN    string `json:"server_dsn"`
	RedisURL     string `json:"redis_url"`
	RedisDBs     int    `json:"redis_dbs"` // logical databases of the Redis server (each binary gets one)
	FirebaseHost string `json:"firebase_host,omitempty"`
	// FirebaseReady is a file the run writes once the emulator behind
	// FirebaseHost answers ("" inside) or failed (the error): binaries whose
	// rows use Firebase wait for it; the others attach at once.
	FirebaseReady string        `json:"firebase_ready,omitempty"`
	Started       time.Duration `json:"started"`
}

// StartInfra starts Postgres and Redis from the first provider that works and
// builds the template database. The returned World owns them: Close tears
// them down.
func StartInfra(ctx context.Context, cfg *config.Config) (w *World, inf *Infra, err error) {
	begin := time.Now()
	dir, err := os.MkdirTemp("", "launchcheck-infra-")
	if err != nil {
		return nil, nil, err
	}
	w = &World{Dir: dir, env: map[string]string{}, mainDB: MainDB}
	defer func() {
		if err != nil {
			w.Close()
			w, inf = nil, nil
		}
	}()
	if !cfg.Bool(config.RehearsalKeep) {
		w.OnClose(func() { os.RemoveAll(dir) })
	}
	if err = startInfra(ctx, cfg, w); err != nil {
		return w, nil, err
	}
	if err = w.buildTemplate(ctx); err != nil {
		return w, nil, fmt.Errorf("rehearsal schema: %w", err)
	}
	w.RedisDBs = redisDatabases(ctx, w.RedisURL)
	w.Started = time.Since(begin)
	return w, &Infra{Provider: w.Provider, ServerDSN: w.ServerDSN, RedisURL: w.RedisURL, RedisDBs: w.RedisDBs, Started: w.Started}, nil
}

// redisDatabases asks the server how many logical databases it has (1 when
// it will not say: every binary then shares database of the URL).
func redisDatabases(ctx context.Context, raw string) int {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return 1
	}
	rc := redis.NewClient(opt)
	defer rc.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := rc.ConfigGet(ctx, "databases").Result()
	if err != nil {
		return 1
	}
	n, err := strconv.Atoi(m["databases"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// Attach builds this binary's world on shared infrastructure: its own copy of
// the template database (dropped at Close), Redis logical database slot
// (flushed first; slot < 1 keeps the URL's database), then the components.
func Attach(ctx context.Context, inf *Infra, slot int, comps []Component) (w *World, err error) {
	begin := time.Now()
	dir, err := os.MkdirTemp("", "launchcheck-world-")
	if err != nil {
		return nil, err
	}
	w = &World{
		Provider: inf.Provider, ServerDSN: inf.ServerDSN, RedisURL: inf.RedisURL, RedisDBs: inf.RedisDBs,
		FirebaseHost: inf.FirebaseHost, FirebaseReady: inf.FirebaseReady, Dir: dir, env: map[string]string{},
		mainDB: fmt.Sprintf("%s_main_%d", MainDB, os.Getpid()),
	}
	defer func() {
		if err != nil {
			w.Close()
			w = nil
		}
	}()
	w.OnClose(func() { os.RemoveAll(dir) })
	if slot > 0 && inf.Provider != ProviderURLs {
		u, err := url.Parse(inf.RedisURL)
		if err != nil {
			return w, fmt.Errorf("shared Redis URL: %w", err)
		}
		u.Path = "/" + strconv.Itoa(slot)
		w.RedisURL = u.String()
		if err = flushRedis(ctx, w.RedisURL); err != nil {
			return w, err
		}
	}
	if err = w.createFromTemplate(ctx, w.mainDB, true); err != nil {
		return w, fmt.Errorf("rehearsal schema: %w", err)
	}
	w.OnClose(func() { w.dropDB(w.mainDB) })
	if err = w.startComponents(ctx, comps); err != nil {
		return w, err
	}
	w.Started = time.Since(begin)
	return w, nil
}

func flushRedis(ctx context.Context, raw string) error {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return err
	}
	rc := redis.NewClient(opt)
	defer rc.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rc.FlushDB(ctx).Err(); err != nil {
		return fmt.Errorf("flush shared Redis database %d: %w", opt.DB, err)
	}
	return nil
}
