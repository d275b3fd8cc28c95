//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

// SEC-7 judges the CORS list the deployment runs with (Railway's
// ALLOWED_ORIGINS, contract §6); SEC-8 fails when a health endpoint answers
// something that is not JSON (nothing was inspected) and searches such text.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

func TestSelfSEC7RailwayAllowedOrigins(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) })
	if ev := r.Attrs[check.AttrEvidence+"cors"]; !strings.Contains(ev, "Railway ALLOWED_ORIGINS = https://hustlexp.app,https://www.hustlexp.app") {
		t.Errorf("evidence %q does not show the deployment's ALLOWED_ORIGINS", ev)
	}
	// a preview origin left in the production list: the backend allows it,
	// HUSTLEXP_ALLOWED_ORIGINS does not (before, Railway was never read)
	t.Run("fault=Railway ALLOWED_ORIGINS has an extra staging origin", func(t *testing.T) {
		setRailwayVar(t, rw, "ALLOWED_ORIGINS", "https://hustlexp.app,https://www.hustlexp.app,https://staging.hustlexp.app", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) },
			"the deployment's ALLOWED_ORIGINS (Railway) differs from "+config.AllowedOrigins+": allows https://staging.hustlexp.app beyond it, lacks nothing")
	})
	t.Run("fault=Railway ALLOWED_ORIGINS lists a localhost origin", func(t *testing.T) {
		setRailwayVar(t, rw, "ALLOWED_ORIGINS", "https://hustlexp.app, https://www.hustlexp.app,http://localhost:5174", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, `Railway ALLOWED_ORIGINS lists "http://localhost:5174"`)
	})
	// empty: the backend's production default, which equals the expected list
	t.Run("tolerated=ALLOWED_ORIGINS empty (production default)", func(t *testing.T) {
		setRailwayVar(t, rw, "ALLOWED_ORIGINS", "", false)
		r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) })
		if ev := r.Attrs[check.AttrEvidence+"railway_allowed_origins"]; !strings.Contains(ev, "production default") {
			t.Errorf("evidence %q, want the production default named", ev)
		}
	})
	t.Run("fault=ALLOWED_ORIGINS sealed", func(t *testing.T) {
		sealRailwayVar(t, rw, "ALLOWED_ORIGINS")
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, "ALLOWED_ORIGINS is sealed in Railway")
		mustUnverified(t, r)
	})
}

// cloudflare521 is Cloudflare's "Web server is down" page (error 521: the
// origin refused the connection), as the edge answers every path.
const cloudflare521 = `<!DOCTYPE html>
<html lang="en-US"><head><title>api.hustlexp.app | 521: Web server is down</title></head>
<body><div id="cf-error-details"><h1>Web server is down <span>Error code 521</span></h1>
<p>Visit <a href="https://www.cloudflare.com/5xx-error-landing">cloudflare.com</a> for more information.</p>
<p>The web server is not returning a connection. As a result, the web page is not displaying.</p>
<p>Cloudflare Ray ID: <strong>8e2f1c0a9b7d3e41</strong> • Your IP: 203.0.113.7 • Performance &amp; security by Cloudflare</p>
</div></body></html>`

func TestSelfSEC8NonJSONHealth(t *testing.T) {
	_, env := harness.World(t)
	serve := func(t *testing.T, h http.HandlerFunc) *httptest.Server {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	// before, HTML bodies were skipped and the row passed with nothing inspected
	t.Run("fault=every path answers Cloudflare's 521 page", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.WriteHeader(521)
			fmt.Fprint(w, cloudflare521)
		})
		bad := env.MustWith(map[string]string{config.BaseURL: srv.URL})
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) },
			`GET /health = 521 answered "text/html; charset=UTF-8", not JSON: the body could not be judged`,
			"GET /health/readiness = 521 answered", "GET /health/liveness = 521 answered")
		if ev := r.Attrs[check.AttrEvidence+"json_bodies_judged"]; !strings.HasPrefix(ev, "0 of 4") {
			t.Errorf("evidence json_bodies_judged = %q, want 0 of 4", ev)
		}
	})
	t.Run("fault=text/plain health with environment and host", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/health/liveness" {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprint(w, "ok env=production host=ip-10-0-1-5")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"healthy","timestamp":"2026-11-29T23:57:19.479Z"}`)
		})
		bad := env.MustWith(map[string]string{config.BaseURL: srv.URL})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) },
			`GET /health/liveness = 200 answered "text/plain; charset=utf-8", not JSON`,
			`GET /health/liveness = 200: non-JSON body with an internal host name (ip-10-0-1-5)`,
			`GET /health/liveness = 200: non-JSON body with an environment name ("production")`)
	})
}
