package launch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
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
	c := railwayClient(t, env)
	check.Need(t, env.Cfg, config.RailwayProjectID)
	ctx := check.Ctx(t, env.Cfg)
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
	p := dbcheck.NeonProject(t, env)
	ctx, c := check.Ctx(t, env.Cfg), NeonClient(env)
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
		t.Fatalf("Neon project %s has no branch %q to restore (branches: %s); set %s", p.ID, name, BranchNames(bs), config.NeonBranch)
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
// Only the endpoints at the target's <HUSTLEXP_BASE_URL>/webhooks/stripe are
// judged (other endpoints of the account are neither judged nor touched).
// Write permission is proven for every key type (sk_test_, sk_live_, rk_…)
// with a request that cannot change anything: an update of a non-existent
// endpoint id — 404 means the key may write webhook endpoints, 403 that it
// may not.
func StripeWebhookDisableReady(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.StripeSecretKey, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	want := strings.TrimRight(env.Cfg.Get(config.BaseURL), "/") + "/webhooks/stripe"
	sc := stripeapi.New(env.Cfg)
	var ours []*stripe.WebhookEndpoint
	others := 0
	it := sc.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{ListParams: stripe.ListParams{Context: ctx, Limit: stripe.Int64(stripeapi.PageSize)}})
	for n := 0; it.Next() && n < 1000; n++ {
		if ep := it.WebhookEndpoint(); sameWebhookURL(ep.URL, want) {
			ours = append(ours, ep)
		} else {
			others++
		}
	}
	if err := it.Err(); err != nil {
		t.Fatalf("Stripe GET /v1/webhook_endpoints: %s", stripeapi.Describe(err))
	}
	var ids []string
	for _, ep := range ours {
		ids = append(ids, fmt.Sprintf("%s (%s)", ep.ID, ep.Status))
	}
	check.Evidence(t, "endpoints", fmt.Sprintf("%d at %s: %s; %d other endpoint(s) of the account not judged", len(ours), want, strings.Join(ids, ", "), others))
	if len(ours) == 0 {
		t.Errorf("Stripe has no webhook endpoint at %s (%d other endpoint(s) in the account): nothing of this deployment to disable (see SEC-3)", want, others)
	}
	probeID := "we_launchcheck_probe_" + strings.NewReplacer("-", "_").Replace(env.RunID)
	_, err := sc.WebhookEndpoints.Update(probeID, &stripe.WebhookEndpointParams{Params: stripe.Params{Context: ctx}, Disabled: stripe.Bool(true)})
	var se *stripe.Error
	switch {
	case errors.As(err, &se) && se.HTTPStatusCode == 404:
		check.Evidence(t, "method", fmt.Sprintf("%s key: write-permission probe (disable of non-existent endpoint %s → 404: allowed); nothing written", keyKind(env.Cfg.Get(config.StripeSecretKey)), probeID))
	case errors.As(err, &se) && se.HTTPStatusCode == 403:
		t.Errorf("the %s key may not update webhook endpoints (disable of a non-existent endpoint → 403: %s): without write scope nobody using it can disable %s in an incident; grant Webhook Endpoints: write",
			keyKind(env.Cfg.Get(config.StripeSecretKey)), se.Msg, want)
	case err == nil:
		t.Errorf("the probe update of non-existent webhook endpoint %s succeeded: unexpected, check the Stripe account", probeID)
	default:
		t.Errorf("write-permission probe (POST /v1/webhook_endpoints/%s): %s, want 404 (allowed) or 403 (not allowed)", probeID, stripeapi.Describe(err))
	}
}

// sameWebhookURL compares endpoint URLs: scheme and host case-insensitively,
// a trailing slash ignored.
func sameWebhookURL(got, want string) bool {
	g, err1 := url.Parse(strings.TrimSpace(got))
	w, err2 := url.Parse(want)
	if err1 != nil || err2 != nil {
		return strings.TrimRight(got, "/") == strings.TrimRight(want, "/")
	}
	return strings.EqualFold(g.Scheme, w.Scheme) && strings.EqualFold(g.Host, w.Host) &&
		strings.TrimRight(g.Path, "/") == strings.TrimRight(w.Path, "/") && g.RawQuery == w.RawQuery
}

func keyKind(key string) string {
	for _, p := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_"} {
		if strings.HasPrefix(key, p) {
			return p + "…"
		}
	}
	return "Stripe"
}
