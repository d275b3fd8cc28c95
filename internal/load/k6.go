package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// K6Run is the outcome of one `k6 run`.
type K6Run struct {
	Script     string
	ExitCode   int
	Thresholds []string // "metric threshold: ok|FAILED", sorted
	Crossed    []string // the FAILED ones
	Output     string   // tail of stdout+stderr
}

// FindK6 resolves the k6 executable (a name looked up on PATH, or a path) and
// checks that script exists; why says what is missing.
func FindK6(k6, script string) (bin, why string) {
	bin, err := exec.LookPath(k6)
	if err != nil {
		return "", fmt.Sprintf("k6 (%q) is not on PATH", k6)
	}
	if script == "" {
		return "", "no k6 script given"
	}
	if _, err := os.Stat(script); err != nil {
		return "", script + " does not exist"
	}
	return bin, ""
}

// RunK6 runs `k6 run --summary-export` of script against baseURL (passed as
// -e BASE_URL, the only variable the backend's scripts read) and reads the
// threshold results from the summary. dir holds the summary file. A
// non-zero exit is not an error: ExitCode says it (99: thresholds crossed).
func RunK6(ctx context.Context, bin, script, baseURL, dir string) (*K6Run, error) {
	summary := filepath.Join(dir, "k6-summary.json")
	cmd := exec.CommandContext(ctx, bin, "run", "--quiet", "--no-color", "--no-usage-report", "--summary-export", summary, "-e", "BASE_URL="+baseURL, script)
	out, err := cmd.CombinedOutput()
	run := &K6Run{Script: script, Output: Tail(string(out), 1500)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		run.ExitCode = ee.ExitCode()
	default:
		return run, fmt.Errorf("k6 run %s: %w", script, err)
	}
	if ctx.Err() != nil {
		return run, fmt.Errorf("k6 run %s did not finish: %w", script, ctx.Err())
	}
	b, rerr := os.ReadFile(summary)
	if rerr != nil {
		return run, nil
	}
	var sum struct {
		Metrics map[string]struct {
			Thresholds map[string]bool `json:"thresholds"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		return run, fmt.Errorf("k6 summary %s: %v", summary, err)
	}
	for name, m := range sum.Metrics {
		for th, failed := range m.Thresholds {
			st := "ok"
			if failed {
				st = "FAILED"
				run.Crossed = append(run.Crossed, name+" "+th)
			}
			run.Thresholds = append(run.Thresholds, fmt.Sprintf("%s %s: %s", name, th, st))
		}
	}
	sort.Strings(run.Thresholds)
	sort.Strings(run.Crossed)
	return run, nil
}

// Tail keeps the last n bytes of s.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
