//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

const rbTimeout = 60 * time.Second

func TestSelfRB1(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) })
	rw := w.Railway
	var saved []*railwayfake.Deployment
	rw.View(func(s *railwayfake.State) { saved = append(saved, s.Deployments...) })
	restore := func() {
		rw.Update(func(s *railwayfake.State) { s.Deployments = append([]*railwayfake.Deployment(nil), saved...) })
	}
	t.Run("fault=no previous deployment", func(t *testing.T) {
		t.Cleanup(restore)
		rw.Update(func(s *railwayfake.State) {
			var keep []*railwayfake.Deployment
			for _, d := range s.Deployments {
				if d.Status == railwayfake.StatusSuccess {
					keep = append(keep, d)
				}
			}
			s.Deployments = keep
		})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) }, "no previous deployment to roll back to")
	})
	t.Run("fault=previous deployment failed", func(t *testing.T) {
		t.Cleanup(restore)
		rw.Update(func(s *railwayfake.State) {
			s.Deployments = nil
			for _, d := range saved {
				c := *d
				if c.Status != railwayfake.StatusSuccess {
					c.Status = railwayfake.StatusFailed
				}
				s.Deployments = append(s.Deployments, &c)
			}
		})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) }, "no previous deployment", "FAILED")
	})
	t.Run("fault=nothing live", func(t *testing.T) {
		t.Cleanup(restore)
		rw.Update(func(s *railwayfake.State) {
			s.Deployments = nil
			for _, d := range saved {
				c := *d
				c.Status = railwayfake.StatusCrashed
				s.Deployments = append(s.Deployments, &c)
			}
		})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) }, "no SUCCESS deployment")
	})
	t.Run("fault=revoked token", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RailwayToken: "revoked"})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, bad) }, "Not Authorized")
	})
	t.Run("fault=every earlier deployment has the live commit", func(t *testing.T) {
		t.Cleanup(restore)
		const live = "4f1c2e9a7b3d5c8e6f0a1b2c3d4e5f6a7b8c9d0e"
		rw.Update(func(s *railwayfake.State) {
			s.Deployments = nil
			for _, d := range saved {
				c := *d
				c.Meta = map[string]any{}
				for k, v := range d.Meta {
					c.Meta[k] = v
				}
				c.Meta["commitHash"] = live
				s.Deployments = append(s.Deployments, &c)
			}
		})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, env) }, "no previous deployment to roll back to", "same commit")
	})
	t.Run("fault=unknown project", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RailwayProjectID: "00000000-0000-0000-0000-000000000000"})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.RailwayRollbackReady(ct, bad) }, "Project not found")
	})
}

func TestSelfRB2(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, env) })
	nf := w.Neon
	t.Run("fault=PITR window 1 day", func(t *testing.T) {
		var was int64
		nf.Update(func(s *neonfake.State) { was, s.HistoryRetentionSeconds = s.HistoryRetentionSeconds, 86400 })
		t.Cleanup(func() { nf.Update(func(s *neonfake.State) { s.HistoryRetentionSeconds = was }) })
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, env) }, "PITR window 1.0 days, want ≥ 7")
	})
	t.Run("fault=PITR window shorter than the restore point", func(t *testing.T) {
		var was int64
		nf.Update(func(s *neonfake.State) { was, s.HistoryRetentionSeconds = s.HistoryRetentionSeconds, 1800 })
		t.Cleanup(func() { nf.Update(func(s *neonfake.State) { s.HistoryRetentionSeconds = was }) })
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, env) }, "outside the PITR window")
	})
	t.Run("fault=branch younger than the restore point", func(t *testing.T) {
		var was time.Time
		nf.Update(func(s *neonfake.State) {
			was, s.Branches[0].CreatedAt = s.Branches[0].CreatedAt, time.Now().Add(-10*time.Minute)
		})
		t.Cleanup(func() { nf.Update(func(s *neonfake.State) { s.Branches[0].CreatedAt = was }) })
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, env) }, "no history to restore from")
	})
}

func TestSelfRB3(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, env) })
	if !strings.Contains(r.Attrs[check.AttrEvidence+"method"], "→ 404: allowed") {
		t.Fatalf("RB-3 did not prove write permission: %v", r.Attrs)
	}
	sf := w.Stripe
	t.Run("fault=key without write scope (test mode)", func(t *testing.T) {
		sf.SetReadOnly(true)
		t.Cleanup(func() { sf.SetReadOnly(false) })
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, env) }, "may not update webhook endpoints", "403", "without write scope")
	})
	// An account with the target's two endpoints and an unrelated one: only
	// the target's are judged, nothing is written to any of them (the old
	// check wrote a no-op update to every endpoint in test mode).
	account := func(t *testing.T, key string) (*stripefake.Fake, *target.Env) {
		f := stripefake.Run(t)
		base := "https://api.hustlexp.test"
		f.AddHealthyEndpoints(base+"/webhooks/stripe", "whsec_a", "whsec_b")
		f.AddHealthyEndpoints("https://crm.other-team.example/stripe-hook", "whsec_c", "whsec_d")
		return f, env.MustWith(map[string]string{config.StripeAPIBase: f.URL, config.StripeSecretKey: key, config.BaseURL: base})
	}
	for _, key := range []string{"sk_test_rehearsalprobe", "sk_live_rehearsalprobe", "rk_live_rehearsalprobe"} {
		t.Run("key="+key[:8], func(t *testing.T) {
			f, e := account(t, key)
			r := checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, e) })
			if ev := r.Attrs[check.AttrEvidence+"endpoints"]; !strings.HasPrefix(ev, "2 at https://api.hustlexp.test/webhooks/stripe") || !strings.Contains(ev, "2 other endpoint(s) of the account not judged") {
				t.Errorf("endpoints evidence %q", ev)
			}
			if n := f.Calls()["webhook_endpoints.update"]; n != 1 {
				t.Errorf("%d webhook endpoint updates sent, want exactly 1 (the probe of a non-existent id)", n)
			}
			f.SetReadOnly(true)
			checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, e) }, "may not update webhook endpoints", "403", key[:8])
		})
	}
	t.Run("fault=only other endpoints in the account", func(t *testing.T) {
		_, e := account(t, "sk_test_rehearsalprobe")
		bad := e.MustWith(map[string]string{config.BaseURL: "https://api.elsewhere.example"})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, bad) }, "no webhook endpoint at https://api.elsewhere.example/webhooks/stripe", "4 other endpoint(s)")
	})
	t.Run("fault=no webhook endpoints", func(t *testing.T) {
		f := stripefake.Run(t)
		bad := env.MustWith(map[string]string{config.StripeAPIBase: f.URL})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.StripeWebhookDisableReady(ct, bad) }, "no webhook endpoint at")
	})
}

func TestSelfRB4(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) })
	cf := w.Cloudflare
	maint := func(fn func(m *cloudflarefake.Maintenance)) func() {
		var saved cloudflarefake.Maintenance
		var rules []cloudflarefake.RedirectRule
		cf.Update(func(s *cloudflarefake.State) {
			saved = *s.Maint()
			for _, r := range s.Maint().Rules {
				rules = append(rules, *r)
			}
			fn(s.Maint())
		})
		return func() {
			cf.Update(func(s *cloudflarefake.State) {
				*s.Maint() = saved
				s.Maint().Rules = nil
				for i := range rules {
					r := rules[i]
					s.Maint().Rules = append(s.Maint().Rules, &r)
				}
			})
		}
	}
	t.Run("drill=enable, edge serves it, disable", func(t *testing.T) {
		drill := env.MustWith(map[string]string{config.MaintenanceDrill: "1"})
		r := checktest.MustPass(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, drill) })
		if r.Attrs[check.AttrEvidence+"maintenance_switch"] == "" {
			t.Fatal("drill reported no switch-over time")
		}
		if _, _, on := cf.EdgeRedirect(harness.RehearsalAPIHost); on {
			t.Fatal("drill left the maintenance rule enabled")
		}
	})
	t.Run("fault=switch-over slower than 30 s", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.Propagation = 3 * time.Second }))
		drill := env.MustWith(map[string]string{config.MaintenanceDrill: "1", config.MaintenanceMaxTime: "1s"})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, drill) }, "switch-over took", "want < 1s")
		if _, _, on := cf.EdgeRedirect(harness.RehearsalAPIHost); on {
			t.Fatal("failed drill left the maintenance rule enabled")
		}
	})
	t.Run("fault=no maintenance rule", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.Rules = nil }))
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) }, "no maintenance rule in zone")
	})
	t.Run("fault=rule left enabled", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.Rules[0].Enabled = true }))
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) }, "is ENABLED")
	})
	t.Run("fault=maintenance page down", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.PageStatus = 502 }))
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) }, "= 502", "want 200")
	})
	t.Run("fault=token cannot toggle", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.ReadOnlyToken = true }))
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) }, "may not edit the redirect rules")
	})
	t.Run("fault=rule matches another host", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.Rules[0].Expression = `(http.host eq "status.example.com")` }))
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, env) }, "does not match the API host")
	})
	t.Run("fault=rule without a target and no maintenance URL", func(t *testing.T) {
		t.Cleanup(maint(func(m *cloudflarefake.Maintenance) { m.Rules[0].TargetURL = "" }))
		bad := env.MustWith(map[string]string{config.MaintenanceURL: ""})
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, bad) }, "has no static target URL", config.MaintenanceURL)
	})
	t.Run("fault=drill against production refused", func(t *testing.T) {
		prod := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.MaintenanceDrill: "1"})
		r := checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.MaintenancePageReady(ct, prod) }, "refused against production")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
}
