package harness

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/grafanafake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/pagerdutyfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/slackfake"
	"github.com/hustlexp/launchcheck/fixtures/ops"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// RehearsalRulesFile is the name the rehearsal's rule file is loaded under
// in the Prometheus fake (self-tests unload it for "group not loaded").
const RehearsalRulesFile = "critical.yml"

// Rehearsal credentials of the monitoring fakes.
const (
	RehearsalGrafanaToken   = "rehearsal-grafana-token"
	RehearsalPagerDutyToken = "rehearsal-pagerduty-token"
	RehearsalSlackToken     = "xoxb-rehearsal-slack-token"
)

func init() {
	// Maintenance page: a disabled Cloudflare redirect rule for the API host;
	// when enabled, the rehearsal edge (tlsfront) redirects after the fake's
	// propagation delay, as Cloudflare's edge would.
	Register(world.Component{Name: "maintenance", Order: 29, Start: func(ctx context.Context, w *world.World) error {
		cf := partsOf(w).Cloudflare
		ok := cf != nil
		if !ok {
			return nil
		}
		cf.EnableMaintenance(RehearsalAPIHost)
		w.SetEnv(config.MaintenanceURL, cf.MaintenanceURL())
		if front := partsOf(w).TLSFront; front != nil {
			front.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
				host := r.Host
				if h, _, err := net.SplitHostPort(host); err == nil {
					host = h
				}
				target, status, on := cf.EdgeRedirect(host)
				if on {
					http.Redirect(rw, r, target, status)
				}
				return on
			})
		}
		return nil
	}})
	// Log aggregation: Railway's log search over the live deployment also
	// finds the stand-in's request log lines (as Railway collects stdout).
	Register(world.Component{Name: "railway-logs", Order: 28, Start: func(ctx context.Context, w *world.World) error {
		rw := partsOf(w).Railway
		ok := rw != nil
		if !ok || partsOf(w).Standin == nil {
			return nil
		}
		rw.SetLogSource(func(d *railwayfake.Deployment) []railwayfake.LogLine {
			if d.Status != railwayfake.StatusSuccess {
				return nil
			}
			return StandinLogLines(Of(w))
		}, 0)
		return nil
	}})
	// Sentry monitoring data (alert rules, stats, releases, event lookup) on
	// top of the Sentry fake; the latest release is the stand-in's revision.
	Register(world.Component{Name: "sentry-monitoring", Order: 27, Start: func(ctx context.Context, w *world.World) error {
		f := partsOf(w).Sentry
		ok := f != nil
		if !ok {
			return nil
		}
		f.EnableMonitoring(standinRevision(ctx, w))
		w.SetEnv(config.SentryDSN, f.DSN(RehearsalSentryProject))
		return nil
	}})
	Register(world.Component{Name: "pagerduty", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		f := pagerdutyfake.New(RehearsalPagerDutyToken, pagerdutyfake.Healthy())
		w.OnClose(f.Close)
		partsOf(w).PagerDuty = f
		w.SetEnv(config.PagerDutyAPIURL, f.URL)
		w.SetEnv(config.PagerDutyEventsURL, f.URL)
		w.SetEnv(config.PagerDutyToken, RehearsalPagerDutyToken)
		w.SetEnv(config.PagerDutyServiceID, pagerdutyfake.ServiceID)
		w.SetEnv(config.PagerDutyRoutingKey, pagerdutyfake.RoutingKey)
		return nil
	}})
	Register(world.Component{Name: "slack", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		f := slackfake.New(RehearsalSlackToken, slackfake.Healthy())
		w.OnClose(f.Close)
		partsOf(w).Slack = f
		w.SetEnv(config.SlackAPIURL, f.URL)
		w.SetEnv(config.SlackBotToken, RehearsalSlackToken)
		return nil
	}})
	// Alertmanager and Prometheus: Prometheus evaluates the rehearsal's copy
	// of ops/alerts/critical.yml over generated traffic and delivers firing
	// alerts to Alertmanager, which routes them by severity.
	Register(world.Component{Name: "alertmanager", Order: 19, Start: func(ctx context.Context, w *world.World) error {
		am := alertmanagerfake.New()
		w.OnClose(am.Close)
		partsOf(w).Alertmanager = am
		w.SetEnv(config.AlertmanagerURL, am.URL)
		return nil
	}})
	Register(world.Component{Name: "prometheus", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		am := partsOf(w).Alertmanager
		p, err := promfake.New(promfake.Options{Notify: NotifyAlertmanager(am)})
		if err != nil {
			return err
		}
		w.OnClose(p.Close)
		if err := p.LoadRules(RehearsalRulesFile, ops.AlertRules); err != nil {
			return err
		}
		partsOf(w).Prometheus = p
		w.SetEnv(config.PrometheusURL, p.URL)
		dir := filepath.Join(w.Dir, "ops")
		files := map[string][]byte{ops.DashboardPath: ops.Dashboard, ops.AlertRulesPath: ops.AlertRules}
		for rel, data := range files {
			path := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
		g := grafanafake.New(RehearsalGrafanaToken)
		w.OnClose(g.Close)
		if _, err := g.Import(ops.Dashboard); err != nil {
			return err
		}
		partsOf(w).Grafana = g
		w.SetEnv(config.GrafanaURL, g.URL)
		w.SetEnv(config.GrafanaToken, RehearsalGrafanaToken)
		w.SetEnv(config.DashboardFile, filepath.Join(dir, ops.DashboardPath))
		w.SetEnv(config.AlertRulesFile, filepath.Join(dir, ops.AlertRulesPath))
		return nil
	}})
}

// StandinLogLines returns the stand-in's request log lines (Pino JSON on
// stdout) as Railway stores them: normalised into message, severity and
// attributes (railwayfake.Normalize).
func StandinLogLines(w *Rehearsal) []railwayfake.LogLine {
	raw := w.Standin.Logs()
	out := make([]railwayfake.LogLine, 0, len(raw))
	for _, l := range raw {
		var m struct {
			Time int64 `json:"time"`
		}
		_ = json.Unmarshal([]byte(l), &m)
		out = append(out, railwayfake.Normalize(l, railwayfake.Stdout, time.UnixMilli(m.Time)))
	}
	return out
}
