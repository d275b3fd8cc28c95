package launch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
	sl "github.com/slack-go/slack"

	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/pagerduty"
	"github.com/hustlexp/launchcheck/internal/slack"
	"github.com/hustlexp/launchcheck/internal/target"
)

// alertRouting loads Alertmanager's running configuration.
func alertRouting(t check.T, env *target.Env) *alertmanager.Config {
	t.Helper()
	am := alertmanager.New(env.Cfg.Get(config.AlertmanagerURL), env.Cfg.Get(config.AlertmanagerToken), env.Cfg.Duration(config.HTTPTimeout))
	st, err := am.Status(check.Ctx(t, env.Cfg))
	if err != nil {
		t.Fatalf("%v", err)
	}
	cfg, err := alertmanager.ParseConfig(st.Config.Original)
	if err != nil {
		t.Fatalf("Alertmanager %s reports a configuration launchcheck cannot read: %v", env.Cfg.Redacted(config.AlertmanagerURL), err)
	}
	return cfg
}

// probeLabels returns the label sets to route for alerts of the severities
// sevs: per severity a synthetic alert, plus each alert of the rule file
// with that severity (when the file is available), so per-alert routes are
// honoured too. A rule file read from HUSTLEXP_REPO_DIR must be a checkout
// tied to the deployed revision (checkoutTied), else the row is unverified:
// another revision's per-alert labels would probe routes for alerts that
// are not deployed and miss those that are.
func probeLabels(t check.T, env *target.Env, row string, sevs []string) []map[string]string {
	t.Helper()
	path := env.Cfg.Get(config.AlertRulesFile)
	if path == "" && env.Cfg.Get(config.RepoDir) != "" {
		checkoutTied(t, env, row+" routing probes ("+AlertRulesPath+")")
		path = filepath.Join(env.Cfg.Get(config.RepoDir), AlertRulesPath)
	}
	var rules []map[string]string
	if data, err := monReadFile(path); err == nil && data != nil {
		if rgs, errs := parseRuleFile(data); len(errs) == 0 {
			for _, g := range rgs.Groups {
				for _, r := range g.Rules {
					if r.Alert != "" {
						ls := map[string]string{"alertname": r.Alert}
						for k, v := range r.Labels {
							ls[k] = v
						}
						rules = append(rules, ls)
					}
				}
			}
		}
	}
	var out []map[string]string
	for _, sev := range sevs {
		out = append(out, map[string]string{"alertname": "LaunchcheckRoutingProbe", "severity": sev})
		for _, ls := range rules {
			if ls["severity"] == sev {
				out = append(out, ls)
			}
		}
	}
	return out
}

// PagerDutyForP0 checks MON-3: PagerDuty integration for P0 alerts.
// Alertmanager routes every P0 severity (config.P0SeverityValues, the values
// GNG-3 treats as P0) to a PagerDuty receiver at all times: a route on the
// way with mute_time_intervals or active_time_intervals fails unless a MON-3
// waiver names the interval, and so does an active silence muting a P0
// alert. The PagerDuty service is active, has an escalation policy and
// someone on call now. The opt-in drill triggers, finds and resolves a
// tagged incident.
func PagerDutyForP0(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.AlertmanagerURL, config.PagerDutyToken, config.PagerDutyServiceID)
	routing := alertRouting(t, env)
	probes := probeLabels(t, env, "MON-3", env.Cfg.P0SeverityValues())
	p0RoutedToPagerDuty(t, env, routing, probes)
	notSilenced(t, env, "P0", probes)
	c := pagerduty.New(env.Cfg.Get(config.PagerDutyToken), env.Cfg.Get(config.PagerDutyAPIURL), env.Cfg.Get(config.PagerDutyEventsURL), env.Cfg.Duration(config.HTTPTimeout))
	svc := pagerDutyOnCall(t, env, c)
	if env.Cfg.Bool(config.AlertDrill) {
		pagerDutyDrill(t, env, c, svc.ID)
		if !t.Failed() {
			drillPassed(t, env, "MON-3", "P0 drill incident reached PagerDuty service "+svc.ID+" and was resolved")
		}
		return
	}
	if !t.Failed() {
		drillCarriedForward(t, env, "MON-3", "P0 delivery to PagerDuty", config.AlertDrill+"=1, against staging is fine")
	}
}

// p0RoutedToPagerDuty fails for a P0 probe delivered to no receiver with a
// pagerduty_configs entry, or only through time-limited routes.
func p0RoutedToPagerDuty(t check.T, env *target.Env, routing *alertmanager.Config, probes []map[string]string) {
	t.Helper()
	limited := timeLimits{}
	for _, ls := range probes {
		var paged []alertmanager.Delivery
		for _, d := range routing.DeliveriesFor(ls) {
			if r, ok := routing.Receiver(d.Receiver); ok && len(r.PagerdutyConfigs) > 0 {
				paged = append(paged, d)
			}
		}
		if len(paged) == 0 {
			t.Errorf("Alertmanager routes P0 alert %s{severity=%q} to receiver(s) %v, none with a pagerduty_configs entry: P0 routed nowhere a human is paged", ls["alertname"], ls["severity"], routing.ReceiversFor(ls))
		}
		limited.add(ls, paged)
	}
	limited.judge(t, env, "MON-3", "P0")
}

// pagerDutyOnCall checks the PagerDuty service: active, with an escalation
// policy and someone on call at its first level now.
func pagerDutyOnCall(t check.T, env *target.Env, c *pd.Client) *pd.Service {
	t.Helper()
	ctx := check.Ctx(t, env.Cfg)
	id := env.Cfg.Get(config.PagerDutyServiceID)
	svc, err := c.GetServiceWithContext(ctx, id, &pd.GetServiceOptions{Includes: []string{"escalation_policies"}})
	if err != nil {
		t.Fatalf("PagerDuty GET /services/%s: %v (%s)", id, err, config.PagerDutyServiceID)
	}
	check.Evidence(t, "pagerduty_service", fmt.Sprintf("%s %q status=%s", svc.ID, svc.Name, svc.Status))
	if !pagerduty.Usable(svc.Status) {
		t.Errorf("PagerDuty service %q status %q, want active (a %s service pages nobody)", svc.Name, svc.Status, svc.Status)
	}
	if svc.EscalationPolicy.ID == "" {
		t.Fatalf("PagerDuty service %q has no escalation policy: nobody is notified", svc.Name)
	}
	oc, err := c.ListOnCallsWithContext(ctx, pd.ListOnCallOptions{EscalationPolicyIDs: []string{svc.EscalationPolicy.ID}, Earliest: true})
	if err != nil {
		t.Fatalf("PagerDuty GET /oncalls: %v", err)
	}
	var who []string
	for _, o := range oc.OnCalls {
		if o.EscalationLevel <= 1 {
			who = append(who, o.User.Summary)
		}
	}
	if len(who) == 0 {
		t.Fatalf("nobody on call now for escalation policy %s (%q) of service %q: a P0 page would reach no one", svc.EscalationPolicy.ID, svc.EscalationPolicy.Summary, svc.Name)
	}
	check.Evidence(t, "on_call", strings.Join(who, ", "))
	return svc
}

// timeLimits gathers the alerts delivered through routes with time
// intervals, keyed by receiver and intervals (one message each).
type timeLimits map[string]*timeLimited

type timeLimited struct {
	d      alertmanager.Delivery
	alerts []string
}

func (tl timeLimits) add(ls map[string]string, ds []alertmanager.Delivery) {
	for _, d := range ds {
		if !d.TimeLimited() {
			continue
		}
		k := d.Receiver + " " + d.Intervals()
		if tl[k] == nil {
			tl[k] = &timeLimited{d: d}
		}
		tl[k].alerts = append(tl[k].alerts, fmt.Sprintf("%s{severity=%q}", ls["alertname"], ls["severity"]))
	}
}

// judge fails for each time-limited delivery, unless a valid waiver of row
// names every one of its intervals in its reason (then it is evidence).
func (tl timeLimits) judge(t check.T, env *target.Env, row, what string) {
	t.Helper()
	if len(tl) == 0 {
		return
	}
	ws, err := check.LoadWaivers(env.Cfg)
	if err != nil {
		t.Fatalf("waiver file %s: %v (needed to judge the time intervals of %s routes)", config.Waivers, err, what)
	}
	keys := make([]string, 0, len(tl))
	for k := range tl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var waived []string
	for _, k := range keys {
		l := tl[k]
		if w, ok := intervalWaiver(ws, row, l.d); ok {
			waived = append(waived, fmt.Sprintf("%s via %s (waiver line %d, owner %s, expires %s)", l.d.Receiver, l.d.Intervals(), w.Line, w.Owner, w.Expiry.Format("2006-01-02")))
			continue
		}
		t.Errorf("Alertmanager delivers %s alert(s) %s to receiver %s through route(s) with %s: their notifications are dropped during a mute interval and outside the active ones; remove the intervals, or waive them (a %s line for %s whose reason names each interval)",
			what, strings.Join(monFirst(l.alerts, 5), ", "), l.d.Receiver, l.d.Intervals(), config.Waivers, row)
	}
	if len(waived) > 0 {
		check.Evidence(t, "time_intervals_waived", strings.Join(waived, "; "))
	}
}

// intervalWaiver returns a valid waiver of row whose reason names every
// time interval of d.
func intervalWaiver(ws check.Waivers, row string, d alertmanager.Delivery) (check.Waiver, bool) {
	names := append(append([]string{}, d.MuteTimeIntervals...), d.ActiveTimeIntervals...)
	for _, w := range ws {
		if _, valid := (check.Waivers{w}).For(row, time.Now()); !valid {
			continue
		}
		named := true
		for _, n := range names {
			named = named && strings.Contains(w.Reason, n)
		}
		if named {
			return w, true
		}
	}
	return check.Waiver{}, false
}

// notSilenced fails for each active Alertmanager silence that matches one
// of the probe label sets: those alerts notify nobody until it expires.
func notSilenced(t check.T, env *target.Env, what string, probes []map[string]string) {
	t.Helper()
	am := alertmanager.New(env.Cfg.Get(config.AlertmanagerURL), env.Cfg.Get(config.AlertmanagerToken), env.Cfg.Duration(config.HTTPTimeout))
	ss, err := am.Silences(check.Ctx(t, env.Cfg))
	if err != nil {
		t.Fatalf("%v: cannot tell whether %s alerts are silenced", err, what)
	}
	now := time.Now()
	for _, s := range ss {
		if !s.Active(now) {
			continue
		}
		var muted []string
		for _, ls := range probes {
			if s.Matches(ls) {
				muted = append(muted, fmt.Sprintf("%s{severity=%q}", ls["alertname"], ls["severity"]))
			}
		}
		if len(muted) > 0 {
			t.Errorf("active Alertmanager %s mutes %s alert(s) %s: they notify nobody until it expires (expire it or narrow its matchers)", s, what, strings.Join(monFirst(muted, 5), ", "))
		}
	}
}

// pagerDutyDrill sends an Events API v2 trigger with a run-tagged dedup
// key, waits for the incident, and resolves it (also in cleanup).
func pagerDutyDrill(t check.T, env *target.Env, c *pd.Client, serviceID string) {
	t.Helper()
	check.Need(t, env.Cfg, config.PagerDutyRoutingKey)
	key := env.Tag() + "-mon3-drill"
	ev := &pd.V2Event{RoutingKey: env.Cfg.Get(config.PagerDutyRoutingKey), Action: "trigger", DedupKey: key,
		Payload: &pd.V2Payload{Summary: "launchcheck MON-3 drill " + env.Tag() + " (auto-resolves)", Source: "launchcheck", Severity: "critical"}}
	resolve := func() {
		ctx, cancel := context.WithTimeout(context.Background(), env.Cfg.Duration(config.HTTPTimeout))
		defer cancel()
		_, _ = c.ManageEventWithContext(ctx, &pd.V2Event{RoutingKey: ev.RoutingKey, Action: "resolve", DedupKey: key})
	}
	t.Cleanup(resolve)
	start := time.Now()
	if _, err := c.ManageEventWithContext(check.Ctx(t, env.Cfg), ev); err != nil {
		t.Fatalf("PagerDuty Events API v2 trigger: %v%s", err, eventRejectedHint(err))
	}
	deadline := env.Cfg.Duration(config.DrillDeadline)
	find := func(status string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			res, err := c.ListIncidentsWithContext(ctx, pd.ListIncidentsOptions{ServiceIDs: []string{serviceID}, IncidentKey: key})
			if err != nil {
				return err
			}
			for _, in := range res.Incidents {
				if status == "" || in.Status == status {
					return nil
				}
			}
			return fmt.Errorf("no %s incident with key %s on service %s yet", status, key, serviceID)
		}
	}
	check.Eventually(t, deadline, find(""))
	check.Evidence(t, "drill_incident_after", time.Since(start).Round(time.Millisecond))
	resolve()
	check.Eventually(t, deadline, find("resolved"))
	alertmanagerToPagerDuty(t, env, c, serviceID)
}

// eventRejectedHint explains a 400 of the Events API: go-pagerduty reads
// only the REST API's error shape, so PagerDuty's own reason ("Invalid
// routing key") never reaches the message.
func eventRejectedHint(err error) string {
	var ae pd.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
		return fmt.Sprintf(" (PagerDuty rejected the event: is %s the Events API v2 integration key of the service?)", config.PagerDutyRoutingKey)
	}
	return ""
}

// alertmanagerToPagerDuty proves the Alertmanager → PagerDuty leg: a
// synthetic P0 alert tagged with the run is posted to Alertmanager, the
// incident it causes is found on the service, then both are resolved.
func alertmanagerToPagerDuty(t check.T, env *target.Env, c *pd.Client, serviceID string) {
	t.Helper()
	am := alertmanager.New(env.Cfg.Get(config.AlertmanagerURL), env.Cfg.Get(config.AlertmanagerToken), env.Cfg.Duration(config.HTTPTimeout))
	labels := map[string]string{"alertname": "LaunchcheckP0Drill", "severity": env.Cfg.Get(config.P0Severity), "launchcheck_run": env.Tag()}
	start := time.Now()
	alert := alertmanager.PostableAlert{Labels: labels, StartsAt: start,
		Annotations: map[string]string{"summary": "launchcheck MON-3 end-to-end drill " + env.Tag() + " (auto-resolves)"}, EndsAt: start.Add(10 * time.Minute)}
	var incidentKey string
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), env.Cfg.Duration(config.HTTPTimeout))
		defer cancel()
		alert.EndsAt = time.Now()
		_ = am.PostAlerts(ctx, []alertmanager.PostableAlert{alert})
		if incidentKey != "" {
			_, _ = c.ManageEventWithContext(ctx, &pd.V2Event{RoutingKey: env.Cfg.Get(config.PagerDutyRoutingKey), Action: "resolve", DedupKey: incidentKey})
		}
	})
	if err := am.PostAlerts(check.Ctx(t, env.Cfg), []alertmanager.PostableAlert{alert}); err != nil {
		t.Fatalf("drill: %v", err)
	}
	check.Eventually(t, env.Cfg.Duration(config.DrillDeadline), func(ctx context.Context) error {
		res, err := c.ListIncidentsWithContext(ctx, pd.ListIncidentsOptions{ServiceIDs: []string{serviceID}, Statuses: []string{"triggered", "acknowledged"}})
		if err != nil {
			return err
		}
		for _, in := range res.Incidents {
			if strings.Contains(in.Title, env.Tag()) || strings.Contains(in.Description, env.Tag()) {
				incidentKey = in.IncidentKey
				return nil
			}
		}
		return fmt.Errorf("the P0 alert posted to Alertmanager has not reached PagerDuty service %s (no open incident mentions %s)", serviceID, env.Tag())
	})
	check.Evidence(t, "drill_alertmanager_to_pagerduty", time.Since(start).Round(time.Millisecond))
}

// SlackForP1P2 checks MON-4: Slack #alerts channel for P1/P2.
// Alertmanager routes P1/P2 to a Slack receiver for the channel at all times
// (time-limited routes and active silences fail as for MON-3); the channel
// exists, is not archived, the bot is in it and may post. The opt-in drill
// posts a tagged message and deletes it.
func SlackForP1P2(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.AlertmanagerURL, config.SlackBotToken)
	channel := strings.TrimPrefix(env.Cfg.Get(config.SlackAlertsChannel), "#")
	p1p2RoutedToSlack(t, env, channel)
	ctx := check.Ctx(t, env.Cfg)
	c := slack.New(env.Cfg.Get(config.SlackBotToken), env.Cfg.Get(config.SlackAPIURL), env.Cfg.Duration(config.HTTPTimeout))
	auth, err := c.AuthTestContext(ctx)
	if err != nil {
		t.Fatalf("Slack auth.test: %v (%s)", err, config.SlackBotToken)
	}
	ch, err := findChannel(ctx, c, channel)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "slack_channel", fmt.Sprintf("#%s %s in %s", ch.Name, ch.ID, auth.Team))
	if ch.IsArchived {
		t.Errorf("Slack channel #%s is archived: alerts posted there are lost", channel)
	}
	if !ch.IsMember {
		t.Errorf("the bot %s is not a member of #%s and cannot post there (/invite @%s)", auth.User, channel, auth.User)
	}
	if scopes, seen := c.Scopes(); seen && !monHas(scopes, "chat:write") {
		t.Errorf("the Slack token lacks the chat:write scope (has %s): the bot cannot post to #%s", strings.Join(scopes, ","), channel)
	}
	if t.Failed() {
		return
	}
	if env.Cfg.Bool(config.AlertDrill) {
		slackDrill(t, env, c, ch.ID)
		if !t.Failed() {
			drillPassed(t, env, "MON-4", "drill message posted to "+env.Cfg.Get(config.SlackAlertsChannel)+" and deleted")
		}
		return
	}
	drillCarriedForward(t, env, "MON-4", "P1/P2 delivery to Slack", config.AlertDrill+"=1, against staging is fine")
}

// p1p2RoutedToSlack fails for a P1/P2 probe delivered to no Slack receiver
// for the channel, delivered there through time-limited routes, or muted by
// an active silence.
func p1p2RoutedToSlack(t check.T, env *target.Env, channel string) {
	t.Helper()
	routing := alertRouting(t, env)
	limited := timeLimits{}
	var probes []map[string]string
	for _, ls := range probeLabels(t, env, "MON-4", env.Cfg.List(config.SlackSeverities)) {
		var posted []alertmanager.Delivery
		for _, d := range routing.DeliveriesFor(ls) {
			if r, ok := routing.Receiver(d.Receiver); ok && slackTo(r, channel) {
				posted = append(posted, d)
			}
		}
		if len(posted) == 0 {
			t.Errorf("Alertmanager routes %s{severity=%q} to receiver(s) %v, none with a slack_configs entry for #%s", ls["alertname"], ls["severity"], routing.ReceiversFor(ls), channel)
		}
		limited.add(ls, posted)
		probes = append(probes, ls)
	}
	limited.judge(t, env, "MON-4", "P1/P2")
	notSilenced(t, env, "P1/P2", probes)
}

func slackTo(r alertmanager.Receiver, channel string) bool {
	for _, s := range r.SlackConfigs {
		if strings.TrimPrefix(s.Channel, "#") == channel {
			return true
		}
	}
	return false
}

func monHas(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// findChannel pages through conversations.list for a channel by name.
func findChannel(ctx context.Context, c *slack.Client, name string) (*sl.Channel, error) {
	params := &sl.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, Limit: 200}
	var seen []string
	for page := 0; page < 50; page++ {
		chans, cursor, err := c.GetConversationsContext(ctx, params)
		if err != nil {
			if strings.Contains(err.Error(), "missing_scope") {
				return nil, fmt.Errorf("Slack conversations.list: %v: %s", err, channelScopeHint(c))
			}
			return nil, fmt.Errorf("Slack conversations.list: %v", err)
		}
		for i := range chans {
			if chans[i].Name == name {
				return &chans[i], nil
			}
			seen = append(seen, chans[i].Name)
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	sort.Strings(seen)
	return nil, fmt.Errorf("Slack channel #%s missing (the bot sees %d channels: %s): create it or set %s", name, len(seen), strings.Join(monFirst(seen, 10), ", "), config.SlackAlertsChannel)
}

// channelScopeHint names the scopes listing public and private channels
// needs that the token lacks (channels:read, groups:read).
func channelScopeHint(c *slack.Client) string {
	scopes, seen := c.Scopes()
	var lack []string
	for _, s := range []string{"channels:read", "groups:read"} {
		if !seen || !monHas(scopes, s) {
			lack = append(lack, s)
		}
	}
	if len(lack) == 0 {
		lack = []string{"channels:read", "groups:read"}
	}
	return fmt.Sprintf("listing public and private channels needs channels:read and groups:read; add %s to the bot token (has %s)", strings.Join(lack, " and "), strings.Join(scopes, ","))
}

func monFirst(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], "…")
	}
	return xs
}

func slackDrill(t check.T, env *target.Env, c *slack.Client, channelID string) {
	t.Helper()
	ctx := check.Ctx(t, env.Cfg)
	_, ts, err := c.PostMessageContext(ctx, channelID, sl.MsgOptionText("launchcheck MON-4 drill "+env.Tag()+" (deleted right away)", false))
	if err != nil {
		t.Fatalf("Slack chat.postMessage to %s: %v", channelID, err)
	}
	deleted := false
	t.Cleanup(func() {
		if !deleted {
			ctx, cancel := context.WithTimeout(context.Background(), env.Cfg.Duration(config.HTTPTimeout))
			defer cancel()
			_, _, _ = c.DeleteMessageContext(ctx, channelID, ts)
		}
	})
	if _, _, err := c.DeleteMessageContext(ctx, channelID, ts); err != nil {
		t.Fatalf("Slack chat.delete of the drill message %s: %v", ts, err)
	}
	deleted = true
	check.Evidence(t, "drill_message", "posted and deleted "+ts)
}
