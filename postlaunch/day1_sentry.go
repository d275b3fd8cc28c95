package postlaunch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/sentry"
	"github.com/hustlexp/launchcheck/internal/target"
)

// SentryIssue is the part of Sentry's issue object DAY-4 reads.
type SentryIssue struct {
	ID          string `json:"id"`
	ShortID     string `json:"shortId"`
	Title       string `json:"title"`
	Culprit     string `json:"culprit"`
	Level       string `json:"level"`
	Status      string `json:"status"`
	IsUnhandled bool   `json:"isUnhandled"`
	Count       string `json:"count"` // a string in Sentry's API
	UserCount   int    `json:"userCount"`
	FirstSeen   string `json:"firstSeen"`
	Permalink   string `json:"permalink"`
}

// Events returns the issue's event count.
func (i SentryIssue) Events() int { n, _ := strconv.Atoi(i.Count); return n }

// newSentryIssues lists unresolved issues first seen in the last 24 h in the
// environment from Sentry's supported organization issues endpoint
// (/organizations/{org}/issues/?project=<id>; the project endpoint is
// deprecated and rate-limited), following its Link-header pagination (at
// most 10 pages).
func newSentryIssues(ctx context.Context, cfg *config.Config) ([]SentryIssue, error) {
	c := sentry.New(cfg.Get(config.SentryAPIURL), cfg.Get(config.SentryAuthToken), cfg.Duration(config.HTTPTimeout))
	p, err := c.Project(ctx, cfg.Get(config.SentryOrg), cfg.Get(config.SentryProject))
	if err != nil {
		return nil, fmt.Errorf("Sentry project %s/%s: %v", cfg.Get(config.SentryOrg), cfg.Get(config.SentryProject), err)
	}
	q := url.Values{"query": {"is:unresolved firstSeen:-24h"}, "statsPeriod": {"24h"}, "limit": {"100"}, "project": {p.ID}}
	if env := cfg.Get(config.SentryEnvironment); env != "" {
		q.Set("environment", env)
	}
	var out []SentryIssue
	path := fmt.Sprintf("/organizations/%s/issues/?%s", url.PathEscape(cfg.Get(config.SentryOrg)), q.Encode())
	if err := sentry.GetAll(ctx, c, path, 10, &out); err != nil {
		var se *sentry.StatusError
		if errors.As(err, &se) && (se.Status == 401 || se.Status == 403) {
			return nil, fmt.Errorf("%v: %s needs event:read / project:read on organization %s", err, config.SentryAuthToken, cfg.Get(config.SentryOrg))
		}
		return nil, err
	}
	return out, nil
}

// sentryEventsReceived24h returns the events the project received in the
// last 24 h (the project stats endpoint MON-5 reads; it counts every
// environment of the project).
func sentryEventsReceived24h(ctx context.Context, cfg *config.Config) (int, error) {
	c := sentry.New(cfg.Get(config.SentryAPIURL), cfg.Get(config.SentryAuthToken), cfg.Duration(config.HTTPTimeout))
	now := time.Now()
	n, err := c.ReceivedEvents(ctx, cfg.Get(config.SentryOrg), cfg.Get(config.SentryProject), now.Add(-24*time.Hour), now)
	var se *sentry.StatusError
	if errors.As(err, &se) && (se.Status == 401 || se.Status == 403) {
		return 0, fmt.Errorf("%v: %s needs project:read on %s/%s", err, config.SentryAuthToken, cfg.Get(config.SentryOrg), cfg.Get(config.SentryProject))
	}
	return n, err
}

// SentryNewIssuesReviewed checks DAY-4: Review Sentry for new error patterns.
// Unresolved issues first seen in the last 24 h in the production
// environment: more than HUSTLEXP_SENTRY_NEW_ISSUES_MAX fails, and so does
// any new unhandled or fatal issue with more than
// HUSTLEXP_SENTRY_FATAL_MIN_EVENTS events. All new issues (title, count,
// link) go to the report. "No new issue" is only worth something when
// Sentry receives events: fewer than HUSTLEXP_SENTRY_MIN_EVENTS_24H events
// received in 24 h (SENTRY_DSN deleted, its key revoked), or received-event
// stats that cannot be read, leave the row unverified.
func SentryNewIssuesReviewed(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.SentryAuthToken, config.SentryAPIURL, config.SentryOrg, config.SentryProject)
	ctx := check.Ctx(t, cfg)
	issues, err := newSentryIssues(ctx, cfg)
	if err != nil {
		t.Fatalf("DAY-4: %v", err)
	}
	maxNew, minEvents := cfg.Int(config.SentryNewIssuesMax), cfg.Int(config.SentryFatalMinEvts)
	var list, severe []string
	for _, i := range issues {
		line := fmt.Sprintf("%s %q ×%s (%s%s) %s", i.ShortID, oneLine(i.Title, 80), i.Count, i.Level, map[bool]string{true: ", unhandled"}[i.IsUnhandled], i.Permalink)
		list = append(list, line)
		if (i.Level == "fatal" || i.IsUnhandled) && i.Events() > minEvents {
			severe = append(severe, line)
		}
	}
	check.Evidence(t, "new_issues_24h", len(issues))
	if len(list) > 0 {
		shown := list
		if len(shown) > 10 {
			shown = append(shown[:10:10], fmt.Sprintf("… %d more", len(list)-10))
		}
		check.Evidence(t, "new_issues", strings.Join(shown, "; "))
	}
	check.Evidence(t, "window", fmt.Sprintf("first seen since %s, environment %s", time.Now().Add(-24*time.Hour).UTC().Format(time.RFC3339), orNone(cfg.Get(config.SentryEnvironment))))
	if len(severe) > 0 {
		t.Errorf("%d new unhandled/fatal Sentry issue(s) with more than %d events (%s): %s", len(severe), minEvents, config.SentryFatalMinEvts, strings.Join(severe, "; "))
	}
	if len(issues) > maxNew {
		t.Errorf("%d new Sentry issues in 24 h, want ≤ %d (%s): a new error pattern needs triage", len(issues), maxNew, config.SentryNewIssuesMax)
	}
	sentryReceivesEvents(t, ctx, cfg)
}

// sentryReceivesEvents: the project received at least
// HUSTLEXP_SENTRY_MIN_EVENTS_24H events in 24 h, else the review had
// nothing to look at (unverified, unless the row already failed).
func sentryReceivesEvents(t check.T, ctx context.Context, cfg *config.Config) {
	t.Helper()
	n, err := sentryEventsReceived24h(ctx, cfg)
	minEvents := cfg.Int(config.SentryEventsMin)
	switch {
	case err == nil && n >= minEvents:
		check.Evidence(t, "events_received_24h", n)
	case t.Failed(): // already a FAIL: never soften it to unverified
		check.Evidence(t, "events_received_24h", fmt.Sprintf("%d (error: %v)", n, err))
	case err != nil:
		check.Unverified(t, "Sentry received-event stats could not be read (%v): without them \"no new issue\" cannot be told from nothing reaching Sentry", err)
	default:
		check.Unverified(t, "Sentry received %d events in the last 24 h, want ≥ %d (%s): nothing reaches Sentry (SENTRY_DSN unset or its key revoked?), so there are no error patterns to review", n, minEvents, config.SentryEventsMin)
	}
}
