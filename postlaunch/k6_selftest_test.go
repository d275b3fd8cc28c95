//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch

// WK-1's k6 half runs only with the full 8-minute profile, so its failures
// are driven here on runK6 itself, with a fake k6 on PATH answering as k6
// does: thresholds crossed (exit 99 and the summary export), a script error
// (exit 107), a run that never ends.

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
)

// fakeK6 puts an executable k6 with body (sh; $summary is the
// --summary-export path) first on PATH.
func fakeK6(t *testing.T, body string) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\nsummary=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --summary-export ] && summary=$2; shift; done\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, "k6"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestSelfWK1K6Failures(t *testing.T) {
	_, env := harness.World(t)
	script := filepath.Join(t.TempDir(), "k6-stress.js")
	if err := os.WriteFile(script, []byte("export default function () {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withScript := env.MustWith(map[string]string{config.StressScript: script, config.K6Binary: "k6"})
	k6 := func(timeout time.Duration) func(check.T) {
		return func(ct check.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			runK6(ct, withScript, ctx, true)
		}
	}
	t.Run("fault=stress script missing", func(t *testing.T) {
		fakeK6(t, "exit 0")
		bad := env.MustWith(map[string]string{config.StressScript: filepath.Join(t.TempDir(), "ops", "load-test", "k6-stress.js"), config.K6Binary: "k6"})
		checktest.MustFail(t, time.Minute, func(ct check.T) { runK6(ct, bad, context.Background(), true) },
			"k6 is on PATH but the stress script is missing", "k6-stress.js does not exist")
	})
	t.Run("fault=thresholds crossed", func(t *testing.T) {
		fakeK6(t, `echo "ERRO[0480] thresholds on metrics 'http_req_duration' have been crossed"
echo '{"metrics":{"http_req_duration":{"thresholds":{"p(95)<1000":true}},"http_req_failed":{"thresholds":{"rate<0.05":false}}}}' > "$summary"
exit 99`)
		checktest.MustFail(t, time.Minute, k6(time.Minute), "thresholds crossed (exit 99: http_req_duration p(95)<1000)", "have been crossed")
	})
	t.Run("fault=script error", func(t *testing.T) {
		fakeK6(t, `echo "ReferenceError: BASE_URL is not defined at default (file:///k6-stress.js:12:3)"; exit 107`)
		checktest.MustFail(t, time.Minute, k6(time.Minute), "k6 run k6-stress.js: exit 107", "ReferenceError")
	})
	t.Run("fault=k6 never finishes", func(t *testing.T) {
		fakeK6(t, "exec sleep 30")
		checktest.MustFail(t, time.Minute, k6(time.Second), "WK-1 k6: ", "did not finish")
	})
	t.Run("k6 passes", func(t *testing.T) {
		fakeK6(t, `echo '{"metrics":{"http_req_duration":{"thresholds":{"p(95)<1000":false}}}}' > "$summary"; exit 0`)
		r := checktest.MustPass(t, time.Minute, k6(time.Minute))
		if r.Attrs["evidence.k6"] != "k6-stress.js thresholds passed" {
			t.Fatalf("evidence: %v", r.Attrs)
		}
	})
}
