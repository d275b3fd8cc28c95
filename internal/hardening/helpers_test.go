//go:build !prelaunch && !t0 && !day1 && !week1

package hardening

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
)

// root is the module root (tests run in internal/hardening).
func root(t testing.TB) string {
	t.Helper()
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hardenEnabled(t testing.TB) bool {
	t.Helper()
	cfg, err := config.FromEnv()
	return err == nil && cfg.Bool(config.Harden)
}

// buildCLI builds cmd/launchcheck once per test binary.
var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
	cliDir  string
)

func buildCLI(t testing.TB) string {
	t.Helper()
	cliOnce.Do(func() {
		cliDir, cliErr = os.MkdirTemp("", "launchcheck-harden-")
		if cliErr != nil {
			return
		}
		cliPath = filepath.Join(cliDir, "launchcheck")
		cmd := exec.Command("go", "build", "-o", cliPath, "./cmd/launchcheck")
		cmd.Dir = root(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			cliErr = err
			cliPath = string(out)
		}
	})
	if cliErr != nil {
		t.Fatalf("build launchcheck: %v\n%s", cliErr, cliPath)
	}
	return cliPath
}

// cleanEnv is the process environment without any launchcheck variable, so
// the developer's own settings never leak into a hardening run.
func cleanEnv() []string {
	declared := map[string]bool{}
	for _, v := range config.Vars() {
		declared[v.Name] = true
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !declared[k] {
			out = append(out, kv)
		}
	}
	return out
}

func withVars(base []string, vars map[string]string) []string {
	out := append([]string(nil), base...)
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// rehearsal is a running `launchcheck rehearsal up`.
type rehearsal struct {
	Exports map[string]string
	cmd     *exec.Cmd
	stderr  *bytes.Buffer
}

// startRehearsal runs `launchcheck rehearsal up` and parses its exports.
func startRehearsal(t testing.TB, bin string) *rehearsal {
	t.Helper()
	cmd := exec.Command(bin, "rehearsal", "up")
	cmd.Dir = root(t)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &rehearsal{Exports: map[string]string{}, cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(3 * time.Minute)
	for {
		quiet := time.After(24 * time.Hour)
		if len(r.Exports) > 0 {
			quiet = time.After(1500 * time.Millisecond)
		}
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("rehearsal up exited before printing its exports:\n%s", r.stderr.String())
			}
			if k, v, ok := parseExport(l); ok {
				r.Exports[k] = v
			}
			continue
		case <-quiet:
		case <-deadline:
			t.Fatalf("rehearsal up printed no exports within 3 minutes:\n%s", r.stderr.String())
		}
		break
	}
	go func() {
		for range lines {
		}
	}()
	if r.Exports[config.HustlexpTarget] != "staging" {
		t.Fatalf("rehearsal up: HUSTLEXP_TARGET=%q, want staging (exports: %d)", r.Exports[config.HustlexpTarget], len(r.Exports))
	}
	return r
}

// parseExport reads `export K=V` as printed by rehearsal up (single-quoted
// when needed).
func parseExport(line string) (string, string, bool) {
	rest, ok := strings.CutPrefix(line, "export ")
	if !ok {
		return "", "", false
	}
	k, v, ok := strings.Cut(rest, "=")
	if !ok {
		return "", "", false
	}
	if strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2 {
		v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, `'`)
	}
	return k, v, true
}

// suiteRun is one `go test -json` run of the checklist.
type suiteRun struct {
	JSON    []byte
	Stderr  []byte
	Elapsed time.Duration
	Err     error
}

// runSuite runs the checklist rows (no self-tests) of pkgs with tags.
func runSuite(t testing.TB, env []string, tags string, timeout time.Duration, pkgs ...string) suiteRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-timeout=" + timeout.String(), "-tags", tags,
		"-skip", "^TestSelf|^TestHarden|^Fuzz|^Benchmark", "-json"}
	cmd := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
	cmd.Dir = root(t)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	return suiteRun{JSON: out.Bytes(), Stderr: errb.Bytes(), Elapsed: time.Since(start), Err: err}
}

// warmBuild compiles the test binaries of pkgs so a timed run measures the
// checks, not the compiler.
func warmBuild(t testing.TB, env []string, tags string, pkgs ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-tags", tags, "-run", "^$"}, pkgs...)...)
	cmd.Dir = root(t)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compile %v: %v\n%s", pkgs, err, out)
	}
}

// renderReport runs `launchcheck report` on a stream and returns the files.
func renderReport(t testing.TB, bin string, env []string, stream []byte, phase string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"md": "r.md", "json": "r.json", "junit": "r.xml", "html": "r.html"}
	args := []string{"report", "--phase", phase, "--no-fail", "--progress"}
	for flag, name := range files {
		args = append(args, "--"+flag, filepath.Join(dir, name))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root(t)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stream)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("launchcheck report: %v\n%s", err, errb.String())
	}
	res := map[string][]byte{"report stdout": out.Bytes(), "report stderr": errb.Bytes()}
	for flag, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("report --%s: %v", flag, err)
		}
		res["report "+flag] = b
	}
	return res
}

func reportRows(t testing.TB, jsonReport []byte) map[string]report.Row {
	t.Helper()
	var r report.Report
	if err := jsonUnmarshal(jsonReport, &r); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	out := map[string]report.Row{}
	for _, row := range r.Rows {
		out[row.ID] = row
	}
	return out
}

// runCompiled compiles the test binaries of pkgs first (not timed), then runs
// them side by side as `go test` would (-p 2 on this machine is all of them
// for three packages), each through test2json from its package directory.
// Elapsed is the wall time of the run alone, so a timing bound measures the
// checks, not the compiler.
func runCompiled(t testing.TB, env []string, tags string, timeout time.Duration, pkgs ...string) suiteRun {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", append([]string{"test", "-c", "-tags", tags, "-o", dir + "/"}, pkgs...)...)
	build.Dir = root(t)
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("compile %v: %v\n%s", pkgs, err, out)
	}
	type result struct {
		out, errb []byte
		err       error
	}
	results := make([]result, len(pkgs))
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range pkgs {
		name := strings.Trim(strings.TrimPrefix(p, "./"), "/")
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "go", "tool", "test2json", "-t", "-p", "github.com/hustlexp/launchcheck/"+name,
				filepath.Join(dir, name+".test"), "-test.v=test2json", "-test.count=1", "-test.timeout="+timeout.String(),
				"-test.skip", "^TestSelf|^TestHarden|^Fuzz|^Benchmark")
			cmd.Dir = filepath.Join(root(t), name)
			cmd.Env = env
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			results[i] = result{out.Bytes(), errb.Bytes(), err}
		}()
	}
	wg.Wait()
	run := suiteRun{Elapsed: time.Since(start)}
	for _, r := range results {
		run.JSON = append(run.JSON, r.out...)
		run.Stderr = append(run.Stderr, r.errb...)
		if r.err != nil && run.Err == nil {
			run.Err = r.err
		}
	}
	return run
}
