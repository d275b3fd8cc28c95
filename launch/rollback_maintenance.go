package launch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/cloudflare"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
)

const redirectPhase = string(cf.RulesetPhaseHTTPRequestDynamicRedirect)

// maintenanceRule finds the maintenance redirect rule in the zone's Single
// Redirects entrypoint ruleset.
func maintenanceRule(ctx context.Context, c *cloudflare.Client, zid, name string) (cf.Ruleset, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	rs, err := c.API.GetEntrypointRuleset(ctx, cf.ZoneIdentifier(zid), redirectPhase)
	if err != nil {
		return rs, -1, fmt.Errorf("cloudflare GET zones/%s/rulesets/phases/%s/entrypoint: %v", zid, redirectPhase, err)
	}
	for i, r := range rs.Rules {
		if strings.Contains(strings.ToLower(r.Description), strings.ToLower(name)) && r.Action == "redirect" {
			return rs, i, nil
		}
	}
	return rs, -1, nil
}

func ruleTarget(r cf.RulesetRule) string {
	if r.ActionParameters != nil && r.ActionParameters.FromValue != nil {
		return r.ActionParameters.FromValue.TargetURL.Value
	}
	return ""
}

func putRules(ctx context.Context, c *cloudflare.Client, zid string, rs cf.Ruleset) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	rules := make([]cf.RulesetRule, len(rs.Rules))
	for i, r := range rs.Rules {
		r.Version, r.LastUpdated = nil, nil // read-only fields
		rules[i] = r
	}
	_, err := c.API.UpdateEntrypointRuleset(ctx, cf.ZoneIdentifier(zid), cf.UpdateEntrypointRulesetParams{Phase: redirectPhase, Description: rs.Description, Rules: rules})
	return err
}

// MaintenancePageReady checks RB-4: **DNS:** Cloudflare can redirect to maintenance page in <30s.
// A disabled maintenance redirect rule exists in the zone for the API host,
// the maintenance page answers 200, and the token may edit the rule (a
// no-op update). The opt-in drill (HUSTLEXP_MAINTENANCE_DRILL, never
// against production) enables it, measures until the edge serves it, and
// disables it again.
func MaintenancePageReady(t check.T, env *target.Env) {
	t.Helper()
	ctx := check.Ctx(t, env.Cfg)
	c, zid := cloudflareZone(t, ctx, env)
	name, host := env.Cfg.Get(config.MaintenanceRule), needAPIHost(t, env)
	rs, i, err := maintenanceRule(ctx, c, zid, name)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if i < 0 {
		t.Fatalf("no maintenance rule in zone %s: no Single Redirect rule whose description contains %q (%d rules); create one redirecting %s to the maintenance page, disabled (%s)",
			env.Cfg.Get(config.CloudflareZone), name, len(rs.Rules), host, config.MaintenanceRule)
	}
	rule := rs.Rules[i]
	check.Evidence(t, "maintenance_rule", fmt.Sprintf("%s %q → %s", rule.ID, rule.Description, ruleTarget(rule)))
	if rule.Enabled == nil || *rule.Enabled {
		t.Errorf("maintenance rule %s is ENABLED: %s is redirected to the maintenance page right now", rule.ID, host)
	}
	if !strings.Contains(rule.Expression, `"`+host+`"`) && strings.TrimSpace(rule.Expression) != "true" {
		t.Errorf("maintenance rule %s expression %q does not match the API host %s", rule.ID, rule.Expression, host)
	}
	page := env.Cfg.Get(config.MaintenanceURL)
	if page == "" {
		page = ruleTarget(rule)
	}
	if page == "" {
		t.Fatalf("maintenance rule %s has no static target URL and %s is not set", rule.ID, config.MaintenanceURL)
	}
	if code, err := getStatus(ctx, env, page); err != nil || code != http.StatusOK {
		t.Errorf("maintenance page GET %s = %d (%v), want 200: the redirect would lead to an error page", page, code, err)
	}
	if err := putRules(ctx, c, zid, rs); err != nil {
		t.Fatalf("the Cloudflare token may not edit the redirect rules (no-op update failed: %v): it cannot toggle maintenance (needs Zone: Single Redirect edit)", err)
	}
	check.Evidence(t, "toggle", "token may edit the rule (no-op update)")
	if t.Failed() {
		return
	}
	if env.Cfg.Bool(config.MaintenanceDrill) {
		took := maintenanceDrill(t, env, c, zid, rs, i, host, page)
		if !t.Failed() {
			drillPassed(t, env, "RB-4", fmt.Sprintf("maintenance switch-over %s", took.Round(time.Millisecond)))
		}
		return
	}
	drillCarriedForward(t, env, "RB-4", fmt.Sprintf("switch-over < %s", env.Cfg.Duration(config.MaintenanceMaxTime)), config.MaintenanceDrill+"=1 on the staging zone")
}

func getStatus(ctx context.Context, env *target.Env, u string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, env.Cfg.Duration(config.HTTPTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// maintenanceDrill enables the rule, polls the edge until it redirects to
// the page, and disables the rule (also in cleanup).
func maintenanceDrill(t check.T, env *target.Env, c *cloudflare.Client, zid string, rs cf.Ruleset, i int, host, page string) time.Duration {
	t.Helper()
	if env.Cfg.Target == config.Production {
		check.Unverified(t, "maintenance drill refused against production (%s): run it on the staging zone", config.MaintenanceDrill)
	}
	ctx := check.Ctx(t, env.Cfg)
	on, off := true, false
	enabled := rs
	enabled.Rules = append([]cf.RulesetRule(nil), rs.Rules...)
	enabled.Rules[i].Enabled = &on
	disabled := rs
	disabled.Rules = append([]cf.RulesetRule(nil), rs.Rules...)
	disabled.Rules[i].Enabled = &off
	restored := false
	restore := func() {
		if !restored {
			ctx, cancel := context.WithTimeout(context.Background(), env.Cfg.Duration(config.HTTPTimeout))
			defer cancel()
			if putRules(ctx, c, zid, disabled) == nil {
				restored = true
			}
		}
	}
	t.Cleanup(restore)
	start := time.Now()
	if err := putRules(ctx, c, zid, enabled); err != nil {
		t.Fatalf("enable maintenance rule: %v", err)
	}
	tt := tlsTarget(env, host)
	limit := env.Cfg.Duration(config.MaintenanceMaxTime)
	err := check.Poll(ctx, limit+10*time.Second, func(ctx context.Context) error {
		resp, err := edgeGet(ctx, tt, "/health/liveness")
		if err != nil {
			return err
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && strings.HasPrefix(loc, page) {
			return nil
		}
		return fmt.Errorf("edge still answers %d (Location %q)", resp.StatusCode, resp.Header.Get("Location"))
	})
	took := time.Since(start)
	restore()
	if err != nil {
		t.Fatalf("edge never served the maintenance redirect: %v", err)
	}
	check.Evidence(t, "maintenance_switch", took.Round(time.Millisecond))
	if took > limit {
		t.Errorf("maintenance switch-over took %s, want < %s", took.Round(time.Millisecond), limit)
	}
	if !restored {
		t.Errorf("maintenance rule could not be disabled again: disable it in the Cloudflare dashboard NOW")
	}
	return took
}
