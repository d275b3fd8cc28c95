package launch

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/stripex"
	"github.com/hustlexp/launchcheck/internal/target"
)

// rollbackable reports whether Railway can roll back to deployment d: it
// ran successfully once (SUCCESS, or REMOVED/SLEEPING after being replaced)
// and Railway offers the rollback.
func rollbackable(d railway.Deployment) bool {
	switch d.Status {
	case "SUCCESS", "REMOVED", "SLEEPING":
		return d.CanRollback
	}
	return false
}

func rbShort(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// RailwayRollbackReady checks RB-1: **Immediate:** Railway instant rollback to previous deployment.
// The service has a previous successful deployment of a different commit
// that Railway can roll back to; its commit and age are reported.
func RailwayRollbackReady(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.RailwayToken, config.RailwayProjectID)
	ctx := check.Ctx(t, env.Cfg)
	c := railway.New(env.Cfg.Get(config.RailwayAPIURL), env.Cfg.Get(config.RailwayToken), env.Cfg.Duration(config.HTTPTimeout))
	tg, err := c.Resolve(ctx, env.Cfg.Get(config.RailwayProjectID), env.Cfg.Get(config.RailwayEnvironment), env.Cfg.Get(config.RailwayService))
	if err != nil {
		t.Fatalf("%v", err)
	}
	ds, err := c.Deployments(ctx, tg.Project.ID, tg.Environment.ID, tg.Service.ID, 20)
	if err != nil {
		t.Fatalf("%v", err)
	}
	cur := -1
	for i, d := range ds {
		if d.Status == "SUCCESS" {
			cur = i
			break
		}
	}
	if cur < 0 {
		t.Fatalf("Railway service %s in %s has no SUCCESS deployment among its last %d: nothing is live to roll back from", tg.Service.Name, tg.Environment.Name, len(ds))
	}
	live := ds[cur]
	check.Evidence(t, "current", fmt.Sprintf("%s %s (%s ago)", live.ID, rbShort(live.CommitHash()), time.Since(live.CreatedAt).Round(time.Minute)))
	var skipped []string
	for _, d := range ds[cur+1:] {
		if !rollbackable(d) {
			skipped = append(skipped, fmt.Sprintf("%s %s canRollback=%t", d.ID, d.Status, d.CanRollback))
			continue
		}
		if d.CommitHash() == live.CommitHash() {
			skipped = append(skipped, fmt.Sprintf("%s same commit %s", d.ID, rbShort(d.CommitHash())))
			continue
		}
		check.Evidence(t, "rollback_to", fmt.Sprintf("%s commit %s, deployed %s ago", d.ID, rbShort(d.CommitHash()), time.Since(d.CreatedAt).Round(time.Minute)))
		return
	}
	t.Fatalf("no previous deployment to roll back to: Railway service %s in %s has no earlier successful, rollback-able deployment of another commit (checked %d: %s)",
		tg.Service.Name, tg.Environment.Name, len(ds)-cur-1, strings.Join(skipped, "; "))
}

// NeonPITRReady checks RB-2: **Database:** Neon point-in-time recovery (PITR).
// The PITR window covers HUSTLEXP_MIN_PITR_DAYS, and a restore point
// HUSTLEXP_PITR_RESTORE_AGO back lies inside it and after the production
// branch was created.
func NeonPITRReady(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.NeonAPIKey, config.NeonProjectID)
	ctx := check.Ctx(t, env.Cfg)
	c := NeonClient(env)
	p, err := c.Project(ctx, env.Cfg.Get(config.NeonProjectID))
	if err != nil {
		t.Fatalf("%v", err)
	}
	window := p.Retention()
	minDays := env.Cfg.Int(config.MinPITRDays)
	now := time.Now().UTC()
	earliest := now.Add(-window)
	check.Evidence(t, "pitr_window", fmt.Sprintf("%.1f days, earliest restore point %s", window.Hours()/24, earliest.Format(time.RFC3339)))
	if window < time.Duration(minDays)*24*time.Hour {
		t.Errorf("Neon PITR window %.1f days, want ≥ %d (%s): raise history retention of project %s", window.Hours()/24, minDays, config.MinPITRDays, p.ID)
	}
	ago := env.Cfg.Duration(config.PITRRestoreAgo)
	point := now.Add(-ago)
	if point.Before(earliest) {
		t.Errorf("restore point %s (%s ago) is outside the PITR window, which starts %s", point.Format(time.RFC3339), ago, earliest.Format(time.RFC3339))
	}
	bs, err := c.Branches(ctx, p.ID)
	if err != nil {
		t.Fatalf("%v", err)
	}
	name := env.Cfg.Get(config.NeonBranch)
	b, ok := neon.FindBranch(bs, name)
	if !ok {
		t.Fatalf("Neon project %s has no branch %q to restore (branches: %s); set %s", p.ID, name, branchNames(bs), config.NeonBranch)
	}
	if b.CreatedAt.After(point) {
		t.Errorf("branch %s was created %s, after the restore point %s: no history to restore from", b.Name, b.CreatedAt.Format(time.RFC3339), point.Format(time.RFC3339))
	}
	check.Evidence(t, "restore_point", fmt.Sprintf("%s on branch %s (inside window)", point.Format(time.RFC3339), b.Name))
	if !t.Failed() {
		// the window is arithmetic; a restore that worked is proof (WK-4's restore drill records one)
		drillCarriedForward(t, env, "RB-2", "PITR restore", "the Week 1 restore test WK-4, make week1, against staging is fine")
	}
}

// StripeWebhookDisableReady checks RB-3: **Stripe:** Webhook endpoint can be disabled in Stripe Dashboard.
// The configured key may update the webhook endpoints: in test mode a no-op
// update of each endpoint's description; in live mode no write at all — a
// full secret key has every permission, and a restricted key is probed with
// an update of a non-existent endpoint (404 = may write, 403 = may not).
func StripeWebhookDisableReady(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.StripeSecretKey)
	key := env.Cfg.Get(config.StripeSecretKey)
	sc := stripex.New(env.Cfg)
	var eps []*stripe.WebhookEndpoint
	it := sc.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{ListParams: stripe.ListParams{Context: check.Ctx(t, env.Cfg), Limit: stripe.Int64(stripex.PageSize)}})
	for it.Next() {
		eps = append(eps, it.WebhookEndpoint())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("Stripe GET /v1/webhook_endpoints: %s", stripex.Describe(err))
	}
	if len(eps) == 0 {
		t.Fatalf("Stripe has no webhook endpoints: nothing to disable (see SEC-3)")
	}
	live := strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_")
	switch {
	case !live:
		for _, ep := range eps {
			_, err := sc.WebhookEndpoints.Update(ep.ID, &stripe.WebhookEndpointParams{
				Params: stripe.Params{Context: check.Ctx(t, env.Cfg)}, Description: stripe.String(ep.Description)})
			if err != nil {
				t.Errorf("no-op update of webhook endpoint %s (%s): %s — a key without write scope cannot disable it in an incident (needs Webhook Endpoints: write)", ep.ID, ep.URL, stripex.Describe(err))
			}
		}
		check.Evidence(t, "method", fmt.Sprintf("test mode: no-op description update of %d endpoint(s)", len(eps)))
	case strings.HasPrefix(key, "sk_live_"):
		check.Evidence(t, "method", fmt.Sprintf("live secret key: all permissions, %d endpoint(s), nothing written", len(eps)))
	default:
		_, err := sc.WebhookEndpoints.Update("we_launchcheck_permission_probe", &stripe.WebhookEndpointParams{
			Params: stripe.Params{Context: check.Ctx(t, env.Cfg)}, Disabled: stripe.Bool(true)})
		var se *stripe.Error
		switch {
		case errors.As(err, &se) && se.HTTPStatusCode == 404:
			check.Evidence(t, "method", "live restricted key: write permission probe (update of a non-existent endpoint → 404), nothing written")
		case err == nil:
			t.Errorf("probe update of a non-existent webhook endpoint succeeded: unexpected, check the Stripe account")
		default:
			t.Errorf("restricted key cannot update webhook endpoints: %s — key without write scope; grant Webhook Endpoints: write", stripex.Describe(err))
		}
	}
}
