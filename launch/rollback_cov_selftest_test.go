//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// The Rollback rows' failure paths past their first provider call.
func TestSelfRBFailurePaths(t *testing.T) {
	w, env := harness.World(t)
	t.Run("fault=RB-1 Railway fails listing the deployments", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.RailwayAPIURL, railwayOp("Deployments"), http.StatusOK,
			`{"errors":[{"message":"Problem processing request"}],"data":null}`)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, bad) }, "railway Deployments: Problem processing request")
	})
	t.Run("fault=RB-1 the only earlier deployment has the live commit", func(t *testing.T) {
		rw := w.Railway
		var saved []*railwayfake.Deployment
		rw.Update(func(s *railwayfake.State) {
			saved = append(saved, s.Deployments...)
			live := latestProd(s)
			var keep []*railwayfake.Deployment
			for _, d := range s.Deployments {
				if d.EnvironmentID != live.EnvironmentID || d.ServiceID != live.ServiceID {
					keep = append(keep, d) // other services and environments stay as they are
				}
			}
			// a redeploy of the same commit: the live deployment and the one it replaced
			earlier := *live
			earlier.ID, earlier.Status, earlier.CanRollback = live.ID+"-redeployed", railwayfake.StatusRemoved, true
			earlier.CreatedAt = live.CreatedAt.Add(-time.Hour)
			s.Deployments = append(keep, live, &earlier)
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Deployments = saved }) })
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) },
			"no previous deployment to roll back to", "(checked 1: ", "-redeployed same commit ")
	})
	t.Run("fault=RB-2 Neon fails listing the branches", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.NeonAPIURL, func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, "/branches") },
			http.StatusInternalServerError, `{"code":"","message":"internal server error"}`)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, bad) }, "/branches", "500", "internal server error")
	})
	probe := func(r *http.Request, _ []byte) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/webhook_endpoints/we_launchcheck_probe_")
	}
	t.Run("fault=RB-3 Stripe answers 200 to the update of a non-existent endpoint", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.StripeAPIBase, probe, http.StatusOK,
			`{"id":"we_launchcheck_probe","object":"webhook_endpoint","status":"disabled","url":"https://api.hustlexp.test/webhooks/stripe","enabled_events":["*"]}`)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, bad) }, "the probe update of non-existent webhook endpoint we_launchcheck_probe_", "succeeded: unexpected")
	})
	t.Run("fault=RB-3 Stripe answers 500 to the write-permission probe", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.StripeAPIBase, probe, http.StatusInternalServerError,
			`{"error":{"type":"api_error","message":"An unknown error occurred"}}`)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, bad) },
			"write-permission probe (POST /v1/webhook_endpoints/we_launchcheck_probe_", "want 404 (allowed) or 403 (not allowed)")
	})

	cf := w.Cloudflare
	// restoreMaint puts the fake's maintenance rules back as they were when
	// the test ends (a failed drill may leave the rule enabled).
	restoreMaint := func(t *testing.T) {
		var saved cloudflarefake.Maintenance
		var rules []cloudflarefake.RedirectRule
		cf.Update(func(s *cloudflarefake.State) {
			saved = *s.Maint()
			for _, r := range s.Maint().Rules {
				rules = append(rules, *r)
			}
		})
		t.Cleanup(func() {
			cf.Update(func(s *cloudflarefake.State) {
				*s.Maint() = saved
				s.Maint().Rules = nil
				for i := range rules {
					r := rules[i]
					s.Maint().Rules = append(s.Maint().Rules, &r)
				}
			})
		})
	}
	rulesets := func(method string, also func(body []byte) bool) func(*http.Request, []byte) bool {
		return func(r *http.Request, body []byte) bool {
			return r.Method == method && strings.Contains(r.URL.Path, "/rulesets/phases/") && (also == nil || also(body))
		}
	}
	cfError := `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`
	drill := env.MustWith(map[string]string{config.MaintenanceDrill: "1"})
	t.Run("fault=RB-4 token may not read the redirect rules", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.CloudflareAPIURL, rulesets(http.MethodGet, nil), http.StatusForbidden, cfError)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, bad) }, "cloudflare GET zones/", "/rulesets/phases/http_request_dynamic_redirect/entrypoint", "Authentication error")
	})
	enabling := func(body []byte) bool { return bytes.Contains(body, []byte(`"enabled":true`)) }
	t.Run("fault=RB-4 drill: Cloudflare refuses to enable the rule", func(t *testing.T) {
		restoreMaint(t)
		bad := checktest.FailFront(t, drill, config.CloudflareAPIURL, rulesets(http.MethodPut, enabling), http.StatusBadRequest,
			`{"success":false,"errors":[{"code":20217,"message":"'ruleset' was modified since it was last read"}],"messages":[],"result":null}`)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, bad) }, "enable maintenance rule: ", "was modified since it was last read")
	})
	t.Run("fault=RB-4 drill: the rule cannot be disabled again", func(t *testing.T) {
		restoreMaint(t)
		var enabled atomic.Bool
		bad := checktest.FailFront(t, drill, config.CloudflareAPIURL, rulesets(http.MethodPut, func(body []byte) bool {
			if enabling(body) {
				enabled.Store(true)
				return false
			}
			return enabled.Load() // every PUT after the enabling one: the disable
		}), http.StatusForbidden, cfError)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, bad) }, "maintenance rule could not be disabled again: disable it in the Cloudflare dashboard NOW")
		if _, _, on := cf.EdgeRedirect(harness.RehearsalAPIHost); !on {
			t.Fatal("the fault did not leave the rule enabled: the disable was not refused")
		}
	})
	t.Run("fault=RB-4 drill: the edge never applies the rule", func(t *testing.T) {
		restoreMaint(t)
		cf.Update(func(s *cloudflarefake.State) { s.Maint().Propagation = time.Hour })
		slow := drill.MustWith(map[string]string{config.MaintenanceMaxTime: "1s"})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, slow) }, "edge never served the maintenance redirect: ", "edge still answers")
		var on bool
		cf.View(func(s *cloudflarefake.State) { on = s.Maint().Rules[0].Enabled })
		if on {
			t.Fatal("the failed drill left the maintenance rule enabled")
		}
	})
}
