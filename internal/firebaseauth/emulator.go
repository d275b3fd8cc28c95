package firebaseauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Emulator is the Firebase Auth emulator (npm firebase-tools) behind a small
// loopback proxy. The proxy's address is what FIREBASE_AUTH_EMULATOR_HOST
// names; the emulator process itself starts on the first request, so test
// binaries that never touch Firebase never pay its start-up (several seconds
// of Node on a small machine).
//
// The process runs as
//
//	firebase emulators:start --only auth --project <id> --config <dir>/firebase.json
//
// with a firebase.json that pins the auth, hub and logging ports to free
// loopback ports and turns the UI off, NO_UPDATE_NOTIFIER=1 and a private
// TMPDIR: it needs no network (its MOTD fetch fails harmlessly offline) and
// no Java.
type Emulator struct {
	Host      string // proxy host:port (FIREBASE_AUTH_EMULATOR_HOST)
	ProjectID string
	CLI       string
	Dir       string
	StartWait time.Duration // how long the first request waits for the emulator; default 60s

	ln    net.Listener
	srv   *http.Server
	once  sync.Once
	mu    sync.Mutex
	err   error
	cmd   *exec.Cmd
	exit  chan struct{}
	proxy *httputil.ReverseProxy
	took  time.Duration
}

// FindCLI returns the firebase CLI: an explicit path, else `firebase` on
// PATH, else an installed firebase-tools package run with node (what
// `npx firebase` would run — but npx may download, this never does).
func FindCLI(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("firebase CLI %s: %w", explicit, err)
		}
		return explicit, nil
	}
	if p, err := exec.LookPath("firebase"); err == nil {
		return p, nil
	}
	if _, err := exec.LookPath("node"); err == nil {
		roots := []string{"/usr/lib/node_modules", "/usr/local/lib/node_modules"}
		if home, err := os.UserHomeDir(); err == nil {
			roots = append(roots, filepath.Join(home, ".npm-global/lib/node_modules"), filepath.Join(home, "node_modules"))
		}
		for _, r := range roots {
			js := filepath.Join(r, "firebase-tools/lib/bin/firebase.js")
			if _, err := os.Stat(js); err == nil {
				return js, nil
			}
		}
	}
	return "", errors.New("firebase CLI not found: neither firebase on PATH nor an installed firebase-tools package (npm install -g firebase-tools)")
}

// StartEmulator starts the proxy (not yet the emulator) in dir.
func StartEmulator(cli, dir, projectID string) (*Emulator, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &Emulator{Host: ln.Addr().String(), ProjectID: projectID, CLI: cli, Dir: dir, ln: ln, StartWait: 60 * time.Second}
	e.srv = &http.Server{Handler: http.HandlerFunc(e.serve), ReadHeaderTimeout: 10 * time.Second}
	go e.srv.Serve(ln)
	return e, nil
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	if err := e.Ensure(r.Context()); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 502, "message": "Firebase Auth emulator not available: " + err.Error() +
			" (fix firebase-tools, or set HUSTLEXP_REHEARSAL_FIREBASE=fake for the in-process fake)"}})
		return
	}
	e.proxy.ServeHTTP(w, r)
}

// Ensure starts the emulator once and waits until it answers.
func (e *Emulator) Ensure(ctx context.Context) error {
	e.once.Do(func() {
		start := time.Now()
		err := e.launch()
		e.mu.Lock()
		e.err, e.took = err, time.Since(start)
		e.mu.Unlock()
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// StartupTime is how long the emulator took to become ready (0 before).
func (e *Emulator) StartupTime() time.Duration { e.mu.Lock(); defer e.mu.Unlock(); return e.took }

// Started reports whether the emulator process was launched.
func (e *Emulator) Started() bool { e.mu.Lock(); defer e.mu.Unlock(); return e.cmd != nil }

func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (e *Emulator) launch() error {
	var ports [3]int
	for i := range ports {
		p, err := freeLoopbackPort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	conf := map[string]any{"emulators": map[string]any{
		"auth":              map[string]any{"host": "127.0.0.1", "port": ports[0]},
		"hub":               map[string]any{"host": "127.0.0.1", "port": ports[1]},
		"logging":           map[string]any{"host": "127.0.0.1", "port": ports[2]},
		"ui":                map[string]any{"enabled": false},
		"singleProjectMode": true,
	}}
	b, _ := json.MarshalIndent(conf, "", "  ")
	cfgPath := filepath.Join(e.Dir, "firebase.json")
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return err
	}
	logPath := filepath.Join(e.Dir, "emulator.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	args := []string{"emulators:start", "--only", "auth", "--project", e.ProjectID, "--config", cfgPath}
	bin := e.CLI
	if strings.HasSuffix(bin, ".js") {
		bin, args = "node", append([]string{e.CLI}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = e.Dir
	// TMPDIR: the emulator writes its hub locator to $TMPDIR/hub-<project>.json;
	// concurrent test binaries must not share (and delete) one.
	cmd.Env = append(cmd.Environ(), "NO_UPDATE_NOTIFIER=1", "TMPDIR="+e.Dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL} // never outlive the test binary
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", e.CLI, err)
	}
	exit := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exit) }()
	e.mu.Lock()
	e.cmd, e.exit = cmd, exit
	e.mu.Unlock()

	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", ports[0]))
	e.proxy = httputil.NewSingleHostReverseProxy(target)
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(e.StartWait)
	for time.Now().Before(deadline) {
		select {
		case <-exit:
			return fmt.Errorf("firebase emulators:start exited early: %s", tail(logPath))
		default:
		}
		resp, err := hc.Get(target.String() + "/")
		if err == nil {
			var st struct {
				AuthEmulator struct {
					Ready bool `json:"ready"`
				} `json:"authEmulator"`
			}
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.AuthEmulator.Ready {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("Firebase Auth emulator not ready within %s: %s", e.StartWait, tail(logPath))
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	s := strings.TrimSpace(string(b))
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	if s == "" {
		return "(no output; log " + path + ")"
	}
	return s + " (log " + path + ")"
}

// Close stops the proxy and the emulator process group.
func (e *Emulator) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	e.srv.Shutdown(ctx)
	cancel()
	e.mu.Lock()
	cmd, exit := e.cmd, e.exit
	e.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exit:
	case <-time.After(5 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exit
	}
}
