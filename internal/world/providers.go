package world

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/client"
	"github.com/redis/go-redis/v9"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Providers in the order they are tried.
const (
	ProviderURLs           = "urls"
	ProviderTestcontainers = "testcontainers"
	ProviderBinaries       = "binaries"
)

func startInfra(ctx context.Context, cfg *config.Config, w *World) error {
	forced := cfg.Get(config.RehearsalProvider)
	if forced != "" && forced != ProviderURLs && forced != ProviderTestcontainers && forced != ProviderBinaries {
		return fmt.Errorf("%s=%q: want urls, testcontainers or binaries", config.RehearsalProvider, forced)
	}
	var tried []string
	try := func(name string, f func() error) (bool, error) {
		if forced != "" && forced != name {
			return false, nil
		}
		err := f()
		if err == nil {
			w.Provider = name
			return true, nil
		}
		tried = append(tried, fmt.Sprintf("%s: %v", name, err))
		if forced != "" {
			return false, fmt.Errorf("rehearsal provider %s (forced by %s): %w", name, config.RehearsalProvider, err)
		}
		return false, nil
	}
	// 1. Explicit URLs.
	if cfg.Has(config.RehearsalDatabaseURL) || forced == ProviderURLs {
		if ok, err := try(ProviderURLs, func() error { return useURLs(ctx, cfg, w) }); ok || err != nil {
			return err
		}
	}
	// 2. A Docker engine that answers: testcontainers with the configured
	// (default: official) images, pulled when absent.
	if forced == ProviderTestcontainers || dockerAvailable(cfg) {
		if ok, err := try(ProviderTestcontainers, func() error { return useContainers(ctx, cfg, w) }); ok || err != nil {
			return err
		}
		if forced == "" {
			fmt.Fprintf(os.Stderr, "launchcheck: rehearsal: testcontainers not usable (%s); falling back to local binaries\n", firstLine(tried[len(tried)-1]))
		}
	}
	// 3. The machine's initdb/postgres and redis-server.
	if ok, err := try(ProviderBinaries, func() error { return useBinaries(ctx, w) }); ok || err != nil {
		return err
	}
	return fmt.Errorf("no rehearsal provider worked. Ways to get one: "+
		"(1) set %s and %s to a Postgres superuser DSN and a Redis URL; "+
		"(2) run a Docker engine that can pull %s and %s (or set %s/%s to local images); "+
		"(3) install the PostgreSQL server and Redis (scripts/setup.sh, or apt-get install postgresql redis-server). Tried: %s",
		config.RehearsalDatabaseURL, config.RehearsalRedisURL, cfg.Get(config.PostgresImage), cfg.Get(config.RedisImage),
		config.PostgresImage, config.RedisImage, strings.Join(tried, "; "))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func useURLs(ctx context.Context, cfg *config.Config, w *World) error {
	if !cfg.Has(config.RehearsalDatabaseURL) || !cfg.Has(config.RehearsalRedisURL) {
		return fmt.Errorf("need both %s and %s", config.RehearsalDatabaseURL, config.RehearsalRedisURL)
	}
	w.ServerDSN = cfg.Get(config.RehearsalDatabaseURL)
	w.RedisURL = cfg.Get(config.RehearsalRedisURL)
	return ping(ctx, w)
}

// dockerAvailable avoids waiting on a Docker client when no engine is there:
// DOCKER_HOST, or a Docker socket at a usual place (rootful, rootless, Desktop).
func dockerAvailable(cfg *config.Config) bool {
	if cfg.Get(config.DockerHost) != "" {
		return true
	}
	socks := []string{"/var/run/docker.sock", fmt.Sprintf("/run/user/%d/docker.sock", os.Getuid())}
	if home, err := os.UserHomeDir(); err == nil {
		socks = append(socks, filepath.Join(home, ".docker/run/docker.sock"), filepath.Join(home, ".docker/desktop/docker.sock"))
	}
	for _, s := range socks {
		if fi, err := os.Stat(s); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return true
		}
	}
	return false
}

// ensureImage makes image present on the engine: already there, or one pull
// (no retries: a registry that cannot be reached is an answer, not a wait).
func ensureImage(ctx context.Context, cli *testcontainers.DockerClient, image string) error {
	if _, err := cli.ImageInspect(ctx, image); err == nil {
		return nil
	}
	// The engine answers a pull it cannot do (no registry, unknown image)
	// with an error; a started pull streams progress until done.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	type pulled struct {
		resp client.ImagePullResponse
		err  error
	}
	started := make(chan pulled, 1)
	go func() { r, err := cli.ImagePull(pctx, image, client.ImagePullOptions{}); started <- pulled{r, err} }()
	var p pulled
	select {
	case p = <-started:
	case <-time.After(60 * time.Second):
		cancel()
		return fmt.Errorf("pull %s: the engine did not start the pull within 60s", image)
	}
	if p.err != nil {
		return fmt.Errorf("pull %s: %w", image, p.err)
	}
	defer p.resp.Close()
	if err := p.resp.Wait(pctx); err != nil {
		return fmt.Errorf("pull %s: %w", image, err)
	}
	return nil
}

func useContainers(ctx context.Context, cfg *config.Config, w *World) (err error) {
	if !dockerAvailable(cfg) {
		return errors.New("no Docker engine (no /var/run/docker.sock, DOCKER_HOST unset)")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("testcontainers panicked: %v", p)
		}
	}()
	// The engine must answer within a few seconds.
	pingCtx, cancelPing := context.WithTimeout(ctx, 5*time.Second)
	cli, err := testcontainers.NewDockerClientWithOpts(pingCtx)
	cancelPing()
	if err != nil {
		return fmt.Errorf("Docker engine does not answer: %w", err)
	}
	defer cli.Close()
	for _, img := range []string{cfg.Get(config.PostgresImage), cfg.Get(config.RedisImage)} {
		if err := ensureImage(ctx, cli, img); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	pg, err := tcpostgres.Run(ctx, cfg.Get(config.PostgresImage),
		tcpostgres.WithDatabase("postgres"), tcpostgres.WithUsername("postgres"), tcpostgres.WithPassword("rehearsal"),
		tcpostgres.BasicWaitStrategies())
	if pg != nil {
		w.OnClose(func() { testcontainers.TerminateContainer(pg) })
	}
	if err != nil {
		return fmt.Errorf("postgres image %s: %w", cfg.Get(config.PostgresImage), err)
	}
	dsn, err := pg.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return err
	}
	rd, err := tcredis.Run(ctx, cfg.Get(config.RedisImage))
	if rd != nil {
		w.OnClose(func() { testcontainers.TerminateContainer(rd) })
	}
	if err != nil {
		return fmt.Errorf("redis image %s: %w", cfg.Get(config.RedisImage), err)
	}
	rurl, err := rd.ConnectionString(ctx)
	if err != nil {
		return err
	}
	w.ServerDSN, w.RedisURL = dsn, rurl
	return ping(ctx, w)
}

// pgBinDir finds initdb: PATH first, then Debian's /usr/lib/postgresql/N/bin (newest).
func pgBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return verOf(dirs[i]) > verOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found (apt-get install postgresql)")
}

func verOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// asUnprivileged runs cmd as the postgres (or nobody) user when we are root,
// because initdb and postgres refuse to run as root.
func asUnprivileged(cmd *exec.Cmd, dirs ...string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if u == nil {
		return errors.New("running as root and no postgres/nobody user to run the database as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, d := range dirs {
		filepath.Walk(d, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) })
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return nil
}

func useBinaries(ctx context.Context, w *World) error {
	bin, err := pgBinDir()
	if err != nil {
		return err
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		return errors.New("redis-server not found (apt-get install redis-server)")
	}
	pgdir := filepath.Join(w.Dir, "pg")
	sock := filepath.Join(w.Dir, "sock")
	for _, d := range []string{pgdir, sock} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	os.Chmod(w.Dir, 0o755)
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", pgdir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	if err := asUnprivileged(initdb, pgdir, sock); err != nil {
		return err
	}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, tail(out))
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	logf, _ := os.Create(filepath.Join(w.Dir, "postgres.log"))
	pg := exec.Command(filepath.Join(bin, "postgres"), "-D", pgdir, "-p", strconv.Itoa(port), "-h", "127.0.0.1",
		"-k", sock, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=400") // every test binary of a run may share this server
	pg.Stdout, pg.Stderr = logf, logf
	asUnprivileged(pg, logf.Name())
	if err := pg.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	w.OnClose(func() { stop(pg, syscall.SIGINT); logf.Close() })
	rport, err := freePort()
	if err != nil {
		return err
	}
	rd := exec.Command(redisBin, "--port", strconv.Itoa(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", w.Dir,
		"--databases", "64") // one logical database per test binary of a run
	if err := rd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	w.OnClose(func() { stop(rd, syscall.SIGTERM) })
	w.ServerDSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	w.RedisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", rport)
	return ping(ctx, w)
}

func stop(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.Process == nil {
		return
	}
	cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 400 {
		s = "…" + s[len(s)-400:]
	}
	return s
}

// ping waits until Postgres and Redis answer (bounded).
func ping(ctx context.Context, w *World) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last error
	for {
		c, err := pgx.Connect(ctx, w.ServerDSN)
		if err == nil {
			c.Close(ctx)
			break
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres at %s not ready: %v", hostPort(w.ServerDSN), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
	opt, err := redis.ParseURL(w.RedisURL)
	if err != nil {
		return err
	}
	rc := redis.NewClient(opt)
	defer rc.Close()
	for {
		err := rc.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis at %s not ready: %v", hostPort(w.RedisURL), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
