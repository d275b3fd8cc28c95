package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	sentrygo "github.com/getsentry/sentry-go"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/sentry"
	"github.com/hustlexp/launchcheck/internal/target"
)

// healthRevision returns build.revision from GET <base>/health (§2.1).
func healthRevision(ctx context.Context, env *target.Env) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, env.Cfg.Duration(config.HTTPTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(env.Cfg.Get(config.BaseURL), "/")+"/health", nil)
	if err != nil {
		return "", fmt.Errorf("GET /health: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /health: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Build struct {
			Revision string `json:"revision"`
		} `json:"build"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil {
		return "", fmt.Errorf("GET /health = %d: body is not JSON: %v", resp.StatusCode, err)
	}
	if len(body.Build.Revision) != 40 {
		return "", fmt.Errorf("GET /health: build.revision = %q, want the deployed 40-hex commit", body.Build.Revision)
	}
	return body.Build.Revision, nil
}

type sentryRelease struct {
	Version     string    `json:"version"`
	DateCreated time.Time `json:"dateCreated"`
}

// SentryConfigured checks MON-5: Sentry error tracking configured.
// The production project has alert rules, received events in the last
// 24 h, and its latest release is the deployed commit (GET /health
// build.revision). The opt-in drill sends a tagged event with sentry-go and
// finds it through the API within HUSTLEXP_DRILL_DEADLINE.
func SentryConfigured(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.SentryAuthToken, config.SentryOrg, config.SentryProject, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	org, slug := env.Cfg.Get(config.SentryOrg), env.Cfg.Get(config.SentryProject)
	c := sentry.New(env.Cfg.Get(config.SentryAPIURL), env.Cfg.Get(config.SentryAuthToken), env.Cfg.Duration(config.HTTPTimeout))
	p, err := c.Project(ctx, org, slug)
	if err != nil {
		t.Fatalf("%v", err)
	}
	base := "/projects/" + url.PathEscape(org) + "/" + url.PathEscape(slug)
	var rules []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	if err := c.Get(ctx, base+"/rules/", &rules); err != nil {
		t.Fatalf("%v", err)
	}
	// only a rule Sentry calls "active" alerts; disabled or status-less rules do not count
	active := 0
	var inactive []string
	for _, r := range rules {
		if r.Status == "active" {
			active++
		} else {
			inactive = append(inactive, fmt.Sprintf("%q status=%q", r.Name, r.Status))
		}
	}
	check.Evidence(t, "alert_rules", fmt.Sprintf("%d active of %d", active, len(rules)))
	if active == 0 {
		t.Errorf("Sentry project %s has no active alert rules (%d rules: %s): errors are recorded but nobody is told (add an issue alert to #alerts/PagerDuty)",
			slug, len(rules), strings.Join(inactive, ", "))
	}
	sentryEvents24h(t, ctx, c, org, slug, env.Cfg.Int(config.SentryEventsMin))
	sentryReleaseIsDeployed(t, ctx, c, env, org, p.ID)
	if env.Cfg.Bool(config.AlertDrill) {
		sentryDrill(t, env, c, base)
	}
}

func sentryEvents24h(t check.T, ctx context.Context, c *sentry.Client, org, slug string, min int) {
	t.Helper()
	now := time.Now()
	total, err := c.ReceivedEvents(ctx, org, slug, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "events_24h", total)
	if total < min {
		t.Errorf("Sentry received %d events in the last 24 h, want ≥ %d (%s): is SENTRY_DSN set in the deployment?", total, min, config.SentryEventsMin)
	}
}

func sentryReleaseIsDeployed(t check.T, ctx context.Context, c *sentry.Client, env *target.Env, org, projectID string) {
	t.Helper()
	rev, err := healthRevision(ctx, env)
	if err != nil {
		t.Fatalf("deployed commit: %v", err)
	}
	var rels []sentryRelease
	if err := c.Get(ctx, "/organizations/"+url.PathEscape(org)+"/releases/?per_page=1&project="+url.QueryEscape(projectID), &rels); err != nil {
		t.Fatalf("%v", err)
	}
	if len(rels) == 0 {
		t.Fatalf("Sentry project has no releases: errors cannot be tied to the deployed commit %s (create releases in the deploy pipeline)", rev)
	}
	latest := rels[0]
	check.Evidence(t, "release", fmt.Sprintf("%s (deployed %s)", latest.Version, rbShort(rev)))
	if railwayTokenSet(env) && env.Cfg.Get(config.RailwayProjectID) != "" {
		if live, err := railwayLiveCommit(ctx, env); err != nil {
			t.Errorf("Railway: %v", err)
		} else if live != rev {
			t.Errorf("Railway's live deployment is commit %s but GET /health reports %s: the deployed commit is ambiguous", rbShort(live), rbShort(rev))
		}
	}
	if !strings.Contains(latest.Version, rev) {
		t.Errorf("Sentry latest release %q ≠ deployed commit %s (GET /health build.revision): the deploy pipeline did not create the release", latest.Version, rev)
	}
}

func sentryDrill(t check.T, env *target.Env, c *sentry.Client, base string) {
	t.Helper()
	check.Need(t, env.Cfg, config.SentryDSN)
	client, err := sentrygo.NewClient(sentrygo.ClientOptions{Dsn: env.Cfg.Get(config.SentryDSN), Transport: sentrygo.NewHTTPSyncTransport(),
		Environment: string(env.Cfg.Target), ServerName: "launchcheck"})
	if err != nil {
		t.Fatalf("sentry-go rejected %s: %s", config.SentryDSN, strings.ReplaceAll(err.Error(), env.Cfg.Get(config.SentryDSN), "[redacted]"))
	}
	// the event id is chosen here, so the API search needs nothing back from
	// sentry-go (which drops events only by sampling or hooks, none set)
	scope := sentrygo.NewScope()
	scope.SetTag("launchcheck_run", env.Tag())
	ev := client.EventFromMessage("launchcheck MON-5 drill "+env.Tag(), sentrygo.LevelInfo)
	ev.EventID = drillEventID()
	id := &ev.EventID
	start := time.Now()
	client.CaptureEvent(ev, nil, scope)
	client.Flush(env.Cfg.Duration(config.HTTPTimeout))
	check.Eventually(t, env.Cfg.Duration(config.DrillDeadline), func(ctx context.Context) error {
		var ev struct {
			EventID string `json:"eventID"`
		}
		err := c.Get(ctx, base+"/events/"+string(*id)+"/", &ev)
		var se *sentry.StatusError
		if errors.As(err, &se) && se.Status != 404 {
			return check.Permanent(err)
		}
		if err != nil {
			return fmt.Errorf("drill event %s not found through the Sentry API yet: %v", *id, err)
		}
		return nil
	})
	check.Evidence(t, "drill_event_after", time.Since(start).Round(time.Millisecond))
}

// drillEventID is a fresh Sentry event id: 32 hex digits (a UUID without dashes).
func drillEventID() sentrygo.EventID {
	var b [16]byte
	rand.Read(b[:])
	return sentrygo.EventID(hex.EncodeToString(b[:]))
}

// railwayLiveCommit returns the commit of the live (newest SUCCESS)
// deployment of the production service.
func railwayLiveCommit(ctx context.Context, env *target.Env) (string, error) {
	c, _ := railway.ForTokens(env.Cfg.Get(config.RailwayAPIURL), env.Cfg.Get(config.RailwayToken), env.Cfg.Get(config.RailwayAPIToken), env.Cfg.Duration(config.HTTPTimeout))
	tg, err := c.Resolve(ctx, env.Cfg.Get(config.RailwayProjectID), env.Cfg.Get(config.RailwayEnvironment), env.Cfg.Get(config.RailwayService))
	if err != nil {
		return "", err
	}
	ds, err := c.Deployments(ctx, tg.Project.ID, tg.Environment.ID, tg.Service.ID, 10)
	if err != nil {
		return "", err
	}
	for _, d := range ds {
		if d.Status == "SUCCESS" {
			return d.CommitHash(), nil
		}
	}
	return "", fmt.Errorf("service %s has no SUCCESS deployment", tg.Service.Name)
}
