//go:build !prelaunch && !t0 && !day1 && !week1

package smoke_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/smoke"
)

// k6OnPath puts a k6 stand-in (script: the body of a sh script) first on
// PATH and returns the config that runs it by name on a checkout holding
// ops/load-test/k6-smoke.js.
func k6OnPath(t *testing.T, script string) map[string]string {
	t.Helper()
	bin, repo := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "k6"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := os.MkdirAll(filepath.Join(repo, "ops", "load-test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "ops", "load-test", "k6-smoke.js"), []byte("export default function () {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{config.K6Binary: "k6", config.RepoDir: repo}
}

// summaryArg finds --summary-export's file in a k6 stand-in's arguments.
const summaryArg = `out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--summary-export" ]; then out="$2"; shift; fi
  shift
done
`

// SMK-1's failure paths: k6 on PATH misbehaving, the target not alive, the
// stage cut short, other traffic taking the rate limit, a slow API.
func TestSelfSMK1FailurePaths(t *testing.T) {
	_, penv := privateStandin(t, standin.Faults{})
	load := map[string]string{config.LoadRate: "60", config.LoadDuration: "2s"}
	k6Faults := []struct {
		name, script string
		set          map[string]string
		want         []string
	}{
		{"k6 hangs past HUSTLEXP_LOAD_K6_TIMEOUT", "exec sleep 30\n", map[string]string{config.LoadK6Timeout: "1s"},
			[]string{"SMK-1 k6: k6 run ", "k6-smoke.js did not finish"}},
		{"k6 leaves a truncated summary (disk full)", summaryArg + `printf '{"metrics":{"http_req_failed":{"thresh' > "$out"` + "\nexit 0\n", nil,
			[]string{"SMK-1 k6: k6 summary ", "unexpected end of JSON input"}},
		{"k6 script exception (exit 107)", "echo 'ReferenceError: http is not defined' >&2\nexit 107\n", nil,
			[]string{"k6-smoke.js exited 107, want 0", "ReferenceError"}},
	}
	for _, f := range k6Faults {
		t.Run("fault="+f.name, func(t *testing.T) {
			env := penv.MustWith(load).MustWith(k6OnPath(t, f.script))
			if f.set != nil {
				env = env.MustWith(f.set)
			}
			checktest.MustFail(t, 60*time.Second, func(ct check.T) { smoke.K6SmokePasses(ct, env) }, f.want...)
		})
	}
	t.Run("fault=Railway's edge answers 502 on liveness (application not responding)", func(t *testing.T) {
		bad := checktest.FailFront(t, penv, config.BaseURL, func(r *http.Request, _ []byte) bool { return r.URL.Path == "/health/liveness" },
			http.StatusBadGateway, `{"status":"error","code":502,"message":"Application failed to respond","request_id":"Xq3vT0aSRnGm1cV2bYkL9w"}`)
		checktest.MustFail(t, 30*time.Second, func(ct check.T) { smoke.K6SmokePasses(ct, bad.MustWith(load)) },
			"SMK-1 probe: GET /health/liveness = 502 alive=false, want 200 alive=true", "Application failed to respond")
	})
	t.Run("fault=the row's deadline ends the stage", func(t *testing.T) {
		cut := penv.MustWith(map[string]string{config.LoadRate: "20", config.LoadDuration: "20s", config.CheckTimeout: "3s"})
		checktest.MustFail(t, 30*time.Second, func(ct check.T) { smoke.K6SmokePasses(ct, cut) }, "SMK-1 native stage: ", "load stopped after")
	})
	t.Run("fault=other traffic from this address exhausts the limit", func(t *testing.T) {
		var n atomic.Int64 // the probe passes; every load request meets a spent bucket
		bad := checktest.FailFront(t, penv, config.BaseURL, func(*http.Request, []byte) bool { return n.Add(1) > 1 },
			http.StatusTooManyRequests, `{"error":"Too Many Requests","message":"Rate limit exceeded. Try again in 60 seconds.","retryAfter":60}`)
		r := checktest.MustFail(t, 30*time.Second, func(ct check.T) { smoke.K6SmokePasses(ct, bad.MustWith(load)) },
			"only 0 of ", "requests were answered without 429", "the per-IP rate limit was hit by other traffic")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=every endpoint answers in 520 ms", func(t *testing.T) {
		_, slow := privateStandin(t, standin.Faults{Latency: standin.Constant(520 * time.Millisecond)})
		checktest.MustFail(t, 60*time.Second, func(ct check.T) { smoke.K6SmokePasses(ct, slow.MustWith(load)) },
			"http_req_duration p99 = ", "want < 500ms ("+config.LoadP99+")")
	})
}

func TestSelfSMK3DetailedRefused(t *testing.T) {
	_, env := harness.World(t)
	// the internal key was rotated on the deployment, not in the suite
	bad := checktest.FailFront(t, env, config.BaseURL, func(r *http.Request, _ []byte) bool { return r.URL.Path == "/health/detailed" },
		http.StatusUnauthorized, `{"error":"Unauthorized"}`)
	checktest.MustFail(t, 30*time.Second, func(ct check.T) { smoke.ReadinessDBLatency(ct, bad) },
		"SMK-3: GET /health/detailed = 401: the deployment rejected HUSTLEXP_INTERNAL_API_KEY")
}

// SMK-5's failure paths after the first delivery: the connection reset on
// the replay or on the badly signed copy, the database out of reach.
func TestSelfSMK5FailurePaths(t *testing.T) {
	_, env := harness.World(t)
	dropPost := func(nth int64) func(*http.Request, []byte) bool {
		var n atomic.Int64
		return func(r *http.Request, _ []byte) bool {
			return r.Method == http.MethodPost && r.URL.Path == "/webhooks/stripe" && n.Add(1) == nth
		}
	}
	t.Run("fault=connection reset on the replay", func(t *testing.T) {
		bad := checktest.DropFront(t, env, config.BaseURL, dropPost(2))
		checktest.MustFail(t, 60*time.Second, func(ct check.T) { smoke.StripeWebhookProcesses(ct, bad) }, "SMK-5 replay: POST /webhooks/stripe")
	})
	t.Run("fault=connection reset on the badly signed copy", func(t *testing.T) {
		bad := checktest.DropFront(t, env, config.BaseURL, dropPost(3))
		checktest.MustFail(t, 60*time.Second, func(ct check.T) { smoke.StripeWebhookProcesses(ct, bad) }, "SMK-5 bad signature: POST /webhooks/stripe")
	})
	t.Run("fault=database unreachable", func(t *testing.T) {
		dead := fmt.Sprintf("postgres://launchcheck_ro@%s/hustlexp?sslmode=disable&connect_timeout=2", checktest.ClosedPort(t))
		bad := env.MustWith(map[string]string{config.DatabaseURL: dead})
		checktest.MustFail(t, 60*time.Second, func(ct check.T) { smoke.StripeWebhookProcesses(ct, bad) },
			"not processed within", "SMK-5 after the replay: ")
	})
}
