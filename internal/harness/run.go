package harness

// One rehearsal infrastructure per run, shared by all test binaries of it.
//
// A run is the parent process of the test binary (the `go test` that runs
// every package's binary) — its pid and start time — plus the settings that
// shape the infrastructure. The first binary of a run takes a lock in the
// run's directory and re-executes itself in daemon mode (a detached process
// group, output to a log file, so `go test` never waits on it); the daemon
// starts Postgres, Redis and the Firebase Auth emulator, writes their
// addresses to infra.json and listens on a unix socket. Every binary,
// the first included, holds one connection to that socket for its life: the
// daemon hands it its own Redis logical database and counts it. The daemon
// tears everything down when the run's parent process is gone and no binary
// is connected, or after idleTimeout without a connection. Two concurrent runs
// have different parents, so different daemons.
//
// Cheap in-process parts with fault knobs (stand-in, SaaS fakes) stay per
// binary; each binary also gets its own copy of the template database.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/world"
)

const (
	daemonArg   = "launchcheck-rehearsal-daemon"
	idleTimeout = 5 * time.Minute // go test may still be compiling the next package (cold build, loaded machine)
	joinTimeout = 4 * time.Minute // how long a binary waits for the run's infrastructure
)

// runKeyVars shape the shared infrastructure: runs that differ in them never share.
var runKeyVars = []string{
	config.RehearsalProvider, config.RehearsalDatabaseURL, config.RehearsalRedisURL,
	config.PostgresImage, config.RedisImage, config.DockerHost, config.RehearsalFirebase,
	config.FirebaseCLI, config.RehearsalKeep,
}

// procStart is a process's start time in clock ticks since boot (field 22 of
// /proc/PID/stat): with the pid it names a process uniquely.
func procStart(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", errors.New("unexpected /proc stat format")
	}
	return f[19], nil
}

func alive(pid int, start string) bool {
	s, err := procStart(pid)
	return err == nil && s == start
}

// runDir names this run's directory: per user, per parent process, per settings.
func runDir(cfg *config.Config) (dir string, parent int, parentStart string, err error) {
	parent = os.Getppid()
	if parentStart, err = procStart(parent); err != nil {
		return "", 0, "", fmt.Errorf("cannot identify the run (parent process %d): %w", parent, err)
	}
	h := sha256.New()
	for _, k := range runKeyVars {
		fmt.Fprintf(h, "%s=%s\n", k, cfg.Get(k))
	}
	key := fmt.Sprintf("%d-%s-%s", parent, parentStart, hex.EncodeToString(h.Sum(nil))[:12])
	base := filepath.Join(os.TempDir(), fmt.Sprintf("launchcheck-runs-%d", os.Getuid()))
	if err = os.MkdirAll(base, 0o700); err != nil {
		return "", 0, "", err
	}
	return filepath.Join(base, key), parent, parentStart, nil
}

// infraError is a failure of the infrastructure itself (no provider, the
// emulator forced but absent): a world of the binary's own would fail alike.
type infraError struct{ msg string }

func (e *infraError) Error() string { return e.msg }

// lease is a binary's membership of the run: closing it tells the daemon.
type lease struct {
	conn net.Conn
	slot int
}

func (l *lease) Close() { l.conn.Close() }

// joinRun returns the run's infrastructure, starting the daemon when this is
// the run's first binary, and this binary's lease.
func joinRun(ctx context.Context, cfg *config.Config) (*world.Infra, *lease, error) {
	dir, parent, parentStart, err := runDir(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer lock.Close()
	for syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("waiting for the run's lock %s: %w", lock.Name(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if inf, l, err := attachDaemon(dir); err == nil {
		return inf, l, nil
	}
	if b, err := os.ReadFile(filepath.Join(dir, "error.txt")); err == nil && len(b) > 0 {
		// This run's infrastructure already failed: the same error, at once.
		return nil, nil, &infraError{strings.TrimSpace(string(b))}
	}
	// No daemon answers: start one (removing what a dead one left).
	for _, f := range []string{"infra.json", "error.txt", "sock"} {
		os.Remove(filepath.Join(dir, f))
	}
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command("/proc/self/exe", daemonArg, dir, strconv.Itoa(parent), parentStart)
	cmd.Args[0] = os.Args[0] // ps shows which test binary serves the run
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, nil, fmt.Errorf("start the run's rehearsal daemon: %w", err)
	}
	logf.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		if inf, l, err := attachDaemon(dir); err == nil {
			// What the daemon said (provider, fallbacks, emulator), once per run.
			if b, err := os.ReadFile(filepath.Join(dir, "daemon.log")); err == nil {
				os.Stderr.Write(b)
			}
			return inf, l, nil
		}
		if b, err := os.ReadFile(filepath.Join(dir, "error.txt")); err == nil && len(b) > 0 {
			return nil, nil, &infraError{strings.TrimSpace(string(b))}
		}
		select {
		case err := <-exited:
			if b, rerr := os.ReadFile(filepath.Join(dir, "error.txt")); rerr == nil && len(b) > 0 {
				return nil, nil, &infraError{strings.TrimSpace(string(b))}
			}
			return nil, nil, fmt.Errorf("the run's rehearsal daemon exited (%v): %s", err, tailFile(filepath.Join(dir, "daemon.log")))
		case <-ctx.Done():
			cmd.Process.Kill()
			return nil, nil, fmt.Errorf("the run's rehearsal daemon was not ready within %s: %s", joinTimeout, tailFile(filepath.Join(dir, "daemon.log")))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// attachDaemon reads infra.json and connects to the daemon's socket.
func attachDaemon(dir string) (*world.Infra, *lease, error) {
	b, err := os.ReadFile(filepath.Join(dir, "infra.json"))
	if err != nil {
		return nil, nil, err
	}
	var inf world.Infra
	if err := json.Unmarshal(b, &inf); err != nil {
		return nil, nil, err
	}
	conn, err := net.DialTimeout("unix", filepath.Join(dir, "sock"), 2*time.Second)
	if err != nil {
		return nil, nil, err
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("run daemon handshake: %w", err)
	}
	conn.SetReadDeadline(time.Time{})
	slot, _ := strconv.Atoi(strings.TrimSpace(line))
	return &inf, &lease{conn: conn, slot: slot}, nil
}

func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	s := strings.TrimSpace(string(b))
	if len(s) > 800 {
		s = "…" + s[len(s)-800:]
	}
	return s + " (log " + path + ")"
}

// runDaemon is the daemon mode of every test binary that calls Main:
// `<test binary> launchcheck-rehearsal-daemon DIR PARENT_PID PARENT_START`.
func runDaemon(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: "+daemonArg+" DIR PARENT_PID PARENT_START")
		return 2
	}
	dir, parentStart := args[0], args[2]
	parent, _ := strconv.Atoi(args[1])
	err := serveRun(dir, parent, parentStart)
	if err == nil {
		os.RemoveAll(dir)
		return 0
	}
	msg := fmt.Sprintf("rehearsal infrastructure of the run: %v", err)
	fmt.Fprintln(os.Stderr, msg)
	// The binaries of this run read error.txt and fail at once with it; the
	// directory goes when the run does.
	os.WriteFile(filepath.Join(dir, "error.txt"), []byte(msg+"\n"), 0o600)
	for deadline := time.Now().Add(idleTimeout); alive(parent, parentStart) && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
	}
	os.RemoveAll(dir)
	return 1
}

// serveRun starts the infrastructure, publishes it and serves leases until
// the run ends.
func serveRun(dir string, parent int, parentStart string) error {
	load()
	if cfgErr != nil {
		return cfgErr
	}
	rcfg, err := rehearsalBase()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	defer cancel()
	// The Firebase Auth emulator (a JVM, the slowest part) boots while
	// Postgres, Redis and the template schema come up, and while the binaries
	// that do not use it run: its host is published at once and
	// firebase.ready is written when it answers (binaries whose rows use it
	// wait for that file before their first test).
	fbHost, fbStop, fbBoot, err := startSharedFirebase(ctx)
	if fbStop != nil {
		defer fbStop()
	}
	if err != nil {
		return err
	}
	fbReady := filepath.Join(dir, "firebase.ready")
	if fbHost != "" {
		go func() {
			msg := ""
			if err := fbBoot(); err != nil {
				msg = err.Error()
			}
			tmp := fbReady + ".tmp"
			if os.WriteFile(tmp, []byte(msg), 0o600) == nil {
				os.Rename(tmp, fbReady)
			}
		}()
	}
	w, inf, err := world.StartInfra(ctx, rcfg)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Fprintf(os.Stderr, "launchcheck: run infrastructure up in %s (provider %s)\n", inf.Started.Round(time.Millisecond), inf.Provider)
	if fbHost != "" {
		inf.FirebaseHost, inf.FirebaseReady = fbHost, fbReady
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		return err
	}
	defer ln.Close()
	b, _ := json.Marshal(inf)
	tmp := filepath.Join(dir, "infra.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "infra.json")); err != nil {
		return err
	}

	var (
		mu      sync.Mutex
		conns   int
		closing bool
		last    = time.Now()
		used    = map[int]bool{}
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closing {
				mu.Unlock()
				c.Close()
				return
			}
			slot := 0
			for i := 1; i < inf.RedisDBs; i++ {
				if !used[i] {
					slot = i
					break
				}
			}
			if slot > 0 {
				used[slot] = true
			}
			conns++
			mu.Unlock()
			fmt.Fprintf(c, "%d\n", slot)
			go func() {
				buf := make([]byte, 64)
				for {
					if _, err := c.Read(buf); err != nil {
						break
					}
				}
				c.Close()
				mu.Lock()
				conns--
				delete(used, slot)
				last = time.Now()
				mu.Unlock()
			}()
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "launchcheck: run infrastructure: %s, tearing down\n", s)
			os.Remove(filepath.Join(dir, "infra.json"))
			return nil
		case <-tick.C:
		}
		mu.Lock()
		why := ""
		if conns == 0 {
			if !alive(parent, parentStart) {
				why = "the run ended"
			} else if time.Since(last) > idleTimeout {
				why = fmt.Sprintf("idle for %s", idleTimeout)
			}
		}
		if why != "" {
			closing = true // no binary attaches from here on
			os.Remove(filepath.Join(dir, "infra.json"))
			ln.Close()
		}
		mu.Unlock()
		if why != "" {
			fmt.Fprintf(os.Stderr, "launchcheck: run infrastructure: %s, tearing down\n", why)
			return nil
		}
	}
}

// startSharedFirebase starts the Firebase Auth emulator's proxy for the
// whole run (its host is known at once) and returns boot, which launches the
// emulator and waits until it answers; stop ends it and removes its
// directory. Empty host: every binary uses its in-process fake
// (HUSTLEXP_REHEARSAL_FIREBASE=fake, or auto without the CLI).
func startSharedFirebase(ctx context.Context) (host string, stop func(), boot func() error, err error) {
	mode := baseCfg.Get(config.RehearsalFirebase)
	if mode != "emulator" && mode != "auto" {
		return "", nil, nil, nil
	}
	cli, err := firebaseauth.FindCLI(baseCfg.Get(config.FirebaseCLI))
	if err != nil {
		if mode == "emulator" {
			return "", nil, nil, fmt.Errorf("%s=emulator: %w", config.RehearsalFirebase, err)
		}
		fmt.Fprintf(os.Stderr, "launchcheck: rehearsal Firebase Auth: no firebase CLI (%v): the in-process fake is used\n", err)
		return "", nil, nil, nil
	}
	dir, err := os.MkdirTemp("", "launchcheck-firebase-")
	if err != nil {
		return "", nil, nil, err
	}
	e, err := firebaseauth.StartEmulator(cli, dir, RehearsalFirebaseProject)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, nil, err
	}
	stop = func() {
		e.Close()
		if !baseCfg.Bool(config.RehearsalKeep) {
			os.RemoveAll(dir)
		}
	}
	e.StartWait = 3 * time.Minute // a loaded 2-core machine
	boot = func() error {
		if err := e.Ensure(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "launchcheck: rehearsal Firebase Auth emulator did not start: %v\n", err)
			return err
		}
		fmt.Fprintf(os.Stderr, "launchcheck: rehearsal Firebase Auth emulator ready in %s at %s\n", e.StartupTime().Round(time.Millisecond), e.Host)
		return nil
	}
	return e.Host, stop, boot, nil
}
