//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// railwayOp matches the Railway GraphQL requests of one operation.
func railwayOp(op string) func(*http.Request, []byte) bool {
	return func(_ *http.Request, body []byte) bool {
		return bytes.Contains(body, []byte(`"operationName":"`+op+`"`))
	}
}

// The Security rows' failure paths past their first provider call: a
// provider that fails on the second or third call, a variable gone, the API
// rate limiting or resetting the connection.
func TestSelfSECFailurePaths(t *testing.T) {
	w, env := harness.World(t)
	t.Run("fault=SEC-2 Railway fails listing the deployments", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.RailwayAPIURL, railwayOp("Deployments"), http.StatusOK,
			`{"errors":[{"message":"Problem processing request"}],"data":null}`)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) }, "railway Deployments: Problem processing request")
	})
	t.Run("fault=SEC-2 deployment logs not readable", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.RailwayAPIURL, railwayOp("DeploymentLogs"), http.StatusOK,
			`{"errors":[{"message":"Not Authorized"}],"data":null}`)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) }, "deployment logs of ", "railway DeploymentLogs: Not Authorized")
	})
	t.Run("fault=SEC-4 FIREBASE_PROJECT_ID deleted in Railway", func(t *testing.T) {
		setRailwayVar(t, w.Railway, "FIREBASE_PROJECT_ID", "", true)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.FirebaseProductionMode(ct, env) }, "SEC-4 FIREBASE_PROJECT_ID is not set in the Railway production variables")
	})
	t.Run("fault=SEC-5 Sentry fails listing the client keys", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.SentryAPIURL, func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, "/keys/") },
			http.StatusInternalServerError, `{"detail":"Internal Error","errorId":"5f0c1d2e"}`)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, bad) }, "SEC-5 ", "/keys/", "500")
	})
	t.Run("fault=SEC-5 token may not read the environments", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.SentryAPIURL, func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, "/environments/") },
			http.StatusForbidden, `{"detail":"You do not have permission to perform this action."}`)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, bad) }, "SEC-5 ", "/environments/", "403")
	})
	t.Run("fault=SEC-6 the API resets the connection mid-burst", func(t *testing.T) {
		penv := privateStandin(t, 25, standin.Faults{})
		var n atomic.Int64
		bad := checktest.DropFront(t, penv, config.BaseURL, func(*http.Request, []byte) bool { return n.Add(1) > 5 })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, bad) }, "SEC-6 request ", " of the burst: ")
	})
	t.Run("fault=SEC-6 the window ends before the burst does", func(t *testing.T) {
		// a runner far from the API: 100 ms a request, a 2 s window, 25 a
		// window: the bucket refills before the limit is reached, no 429
		penv := windowStandin(t, 25, 2*time.Second, standin.Faults{Latency: standin.Constant(100 * time.Millisecond)})
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, penv) },
			"SEC-6 the bucket reset during the burst of 28 requests", "X-RateLimit-Remaining rose from ", "rerun from a runner closer to the API")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=SEC-7 the edge drops preflights from a foreign origin", func(t *testing.T) {
		foreign := env.Cfg.Get(config.ForeignOrigin)
		bad := checktest.DropFront(t, env, config.BaseURL, func(r *http.Request, _ []byte) bool { return r.Header.Get("Origin") == foreign })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, bad) }, "SEC-7 preflight from "+foreign+": ")
	})
	t.Run("fault=SEC-8 /health rate limited", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.BaseURL, func(r *http.Request, _ []byte) bool { return r.URL.Path == "/health" },
			http.StatusTooManyRequests, `{"error":"Too Many Requests","message":"Rate limit exceeded. Try again in 60 seconds.","retryAfter":60}`)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) }, "SEC-8 GET /health = 429: rate limited")
	})
}

// windowStandin is privateStandin with its own limiter window.
func windowStandin(t *testing.T, limit int, window time.Duration, faults standin.Faults) *target.Env {
	t.Helper()
	w, env := harness.World(t)
	s := harness.PrivateStandin(t, w, func(o *standin.Options) { o.PublicLimit, o.Window, o.Replicas, o.Faults = limit, window, 1, faults })
	return env.MustWith(map[string]string{config.BaseURL: s.URL, config.ExpectedRateLimit: strconv.Itoa(limit)})
}

// A sealed STRIPE_SECRET_KEY cannot be read; Stripe's own answer about the
// suite's copy of the key says which mode it is: a test key (sk_test_,
// livemode=false) leaves the row unverified, a live key attests it.
func TestSelfSEC1SealedStripeKeyMode(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	rw.Update(func(s *railwayfake.State) {
		s.Sealed = map[string]map[string]bool{railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID): {"STRIPE_SECRET_KEY": true}}
	})
	t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Sealed = nil }) })
	balance := func(livemode bool) *target.Env {
		return checktest.FailFront(t, env, config.StripeAPIBase, func(r *http.Request, _ []byte) bool { return r.URL.Path == "/v1/balance" }, http.StatusOK,
			`{"object":"balance","available":[{"amount":0,"currency":"usd","source_types":{"card":0}}],"livemode":`+strconv.FormatBool(livemode)+`,"pending":[{"amount":0,"currency":"usd","source_types":{"card":0}}]}`)
	}
	t.Run("fault=sealed sk_test_ key", func(t *testing.T) {
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, balance(false)) },
			"STRIPE_SECRET_KEY: Stripe reports the key is a test-mode key (livemode=false)")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("sealed live key attested by Stripe", func(t *testing.T) {
		r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, balance(true)) })
		if !strings.Contains(r.Attrs[check.AttrEvidence+"sealed_attested"], "STRIPE_SECRET_KEY") {
			t.Fatalf("evidence: %v", r.Attrs)
		}
	})
}

// A health path answering plain text (Node's default error output when the
// handler throws) is judged as text: the raw error, the internal address and
// the stack trace are named. Before, only a stack trace was, so the same
// body without its trace passed.
func TestSelfSEC8PlainTextErrorBody(t *testing.T) {
	_, env := harness.World(t)
	for _, tc := range []struct{ name, body string }{
		{"with its stack trace", "Error: connect ECONNREFUSED 10.0.3.7:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n"},
		{"without a stack trace", "Error: connect ECONNREFUSED 10.0.3.7:5432"},
	} {
		t.Run("fault=/health/readiness text/plain 500 "+tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/health/readiness" {
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(http.StatusInternalServerError)
					fmt.Fprint(w, tc.body)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"status":"healthy","timestamp":"2026-11-29T23:57:19.479Z"}`)
			}))
			t.Cleanup(srv.Close)
			bad := env.MustWith(map[string]string{config.BaseURL: srv.URL})
			checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) },
				"GET /health/readiness = 500: non-JSON body with a raw database/network error", "an internal address (10.0.3.7:5432)")
		})
	}
	t.Run("detector: an edge's HTML error page is no exposure", func(t *testing.T) {
		page := []byte(`<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad gateway</h1>
			<p>The web server reported a bad gateway error. Ray ID: 8e2f1c0a9b7d3e41 • 2026-11-29 23:57:19 UTC</p>
			<p>Please try again in a few minutes. This production site is protected.</p></body></html>`)
		if got := launch.HealthTextExposures(page); len(got) != 0 {
			t.Errorf("HTML error page: %q, want none", got)
		}
	})
}
