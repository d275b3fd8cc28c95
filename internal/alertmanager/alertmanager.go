// Package alertmanager is a small client of the Alertmanager API v2
// (/api/v2/status, /api/v2/alerts, /api/v2/silences) and an evaluator of its
// routing tree, so a check can ask "where does an alert with these labels
// go, and is it muted on the way?". No official
// Go SDK is small enough to import: plain net/http with typed structs.
package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"go.yaml.in/yaml/v3"
)

// Client talks to one Alertmanager.
type Client struct {
	Base    string
	Token   string
	Timeout time.Duration
	HTTP    *http.Client
}

// New returns a client for base (e.g. http://alertmanager:9093).
func New(base, token string, timeout time.Duration) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, Timeout: timeout, HTTP: &http.Client{Timeout: timeout}}
}

// Status is GET /api/v2/status.
type Status struct {
	Cluster struct {
		Status string `json:"status"`
	} `json:"cluster"`
	VersionInfo struct {
		Version string `json:"version"`
	} `json:"versionInfo"`
	Config struct {
		Original string `json:"original"`
	} `json:"config"`
	Uptime time.Time `json:"uptime"`
}

// Alert is one entry of GET /api/v2/alerts.
type Alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
	Fingerprint string            `json:"fingerprint"`
	Receivers   []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State       string   `json:"state"` // active | suppressed | unprocessed
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
	GeneratorURL string `json:"generatorURL"`
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("alertmanager GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("alertmanager GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("alertmanager GET %s: reading body: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("alertmanager GET %s = %d, want 200: %.200s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("alertmanager GET %s: response is not the API v2 JSON: %v (%.120s)", path, err, body)
	}
	return nil
}

// Status returns the running configuration and cluster state.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.get(ctx, "/api/v2/status", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Alerts returns the alerts Alertmanager holds (active and silenced/inhibited).
func (c *Client) Alerts(ctx context.Context) ([]Alert, error) {
	var out []Alert
	if err := c.get(ctx, "/api/v2/alerts", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Matcher is one matcher of a silence (API v2 "matcher").
type Matcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"` // absent: true (the spec's default)
}

// String renders the matcher as Alertmanager shows it (severity="critical").
func (m Matcher) String() string {
	op := "="
	if m.IsRegex {
		op = "=~"
	}
	if m.IsEqual != nil && !*m.IsEqual {
		op = map[string]string{"=": "!=", "=~": "!~"}[op]
	}
	return m.Name + op + strconv.Quote(m.Value)
}

// Silence is one entry of GET /api/v2/silences (API v2 "gettableSilence").
type Silence struct {
	ID     string `json:"id"`
	Status struct {
		State string `json:"state"` // active | pending | expired
	} `json:"status"`
	UpdatedAt time.Time `json:"updatedAt"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
}

// Active reports whether the silence mutes alerts at now: Alertmanager's
// own state, or (a state it has not recomputed yet) its time window.
func (s Silence) Active(now time.Time) bool {
	if s.Status.State != "" && s.Status.State != "active" {
		return false
	}
	return !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Matches reports whether the silence mutes an alert with labels ls (all
// its matchers match, as Alertmanager evaluates them). A matcher that does
// not compile matches nothing.
func (s Silence) Matches(ls map[string]string) bool {
	if len(s.Matchers) == 0 {
		return false
	}
	for _, m := range s.Matchers {
		typ := labels.MatchEqual
		if m.IsRegex {
			typ = labels.MatchRegexp
		}
		if m.IsEqual != nil && !*m.IsEqual {
			typ = map[labels.MatchType]labels.MatchType{labels.MatchEqual: labels.MatchNotEqual, labels.MatchRegexp: labels.MatchNotRegexp}[typ]
		}
		lm, err := labels.NewMatcher(typ, m.Name, m.Value)
		if err != nil || !lm.Matches(ls[m.Name]) {
			return false
		}
	}
	return true
}

// String describes the silence for a failure message.
func (s Silence) String() string {
	ms := make([]string, len(s.Matchers))
	for i, m := range s.Matchers {
		ms[i] = m.String()
	}
	out := fmt.Sprintf("silence %s {%s} by %s until %s", s.ID, strings.Join(ms, ", "), s.CreatedBy, s.EndsAt.UTC().Format(time.RFC3339))
	if s.Comment != "" {
		out += fmt.Sprintf(" (%q)", s.Comment)
	}
	return out
}

// Silences returns every silence Alertmanager holds (active, pending and
// expired: the filter parameters are recent, so the caller filters).
func (c *Client) Silences(ctx context.Context) ([]Silence, error) {
	var out []Silence
	if err := c.get(ctx, "/api/v2/silences", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PostableAlert is one alert for POST /api/v2/alerts.
type PostableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitempty"`
	EndsAt       time.Time         `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// PostAlerts sends alerts to Alertmanager, as Prometheus does (a drill).
func (c *Client) PostAlerts(ctx context.Context, alerts []PostableAlert) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	body, err := json.Marshal(alerts)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/api/v2/alerts", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alertmanager POST /api/v2/alerts: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("alertmanager POST /api/v2/alerts: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("alertmanager POST /api/v2/alerts = %d, want 200: %.200s", resp.StatusCode, msg)
	}
	return nil
}

// Config is the part of alertmanager.yml the checks read.
type Config struct {
	Route     *Route     `yaml:"route"`
	Receivers []Receiver `yaml:"receivers"`
}

// Route is one node of the routing tree.
type Route struct {
	Receiver string            `yaml:"receiver"`
	Matchers []string          `yaml:"matchers"`
	Match    map[string]string `yaml:"match"`
	MatchRE  map[string]string `yaml:"match_re"`
	Continue bool              `yaml:"continue"`
	Routes   []*Route          `yaml:"routes"`
	// MuteTimeIntervals and ActiveTimeIntervals name time_intervals during
	// (outside) which the route sends no notification.
	MuteTimeIntervals   []string `yaml:"mute_time_intervals"`
	ActiveTimeIntervals []string `yaml:"active_time_intervals"`
	matchers            []*labels.Matcher
}

// Delivery is one receiver an alert reaches, with the time intervals of
// every route on the matched path from the root to the route that delivers.
type Delivery struct {
	Receiver            string
	MuteTimeIntervals   []string
	ActiveTimeIntervals []string
}

// TimeLimited reports whether a route on the path holds notifications back
// at some times (mute_time_intervals or active_time_intervals).
func (d Delivery) TimeLimited() bool {
	return len(d.MuteTimeIntervals) > 0 || len(d.ActiveTimeIntervals) > 0
}

// Intervals describes the time intervals on the path, e.g.
// "mute_time_intervals [maintenance], active_time_intervals [weekdays]".
func (d Delivery) Intervals() string {
	var parts []string
	if len(d.MuteTimeIntervals) > 0 {
		parts = append(parts, fmt.Sprintf("mute_time_intervals %v", d.MuteTimeIntervals))
	}
	if len(d.ActiveTimeIntervals) > 0 {
		parts = append(parts, fmt.Sprintf("active_time_intervals %v", d.ActiveTimeIntervals))
	}
	return strings.Join(parts, ", ")
}

// Receiver is a named set of integrations.
type Receiver struct {
	Name             string            `yaml:"name"`
	PagerdutyConfigs []PagerdutyConfig `yaml:"pagerduty_configs"`
	SlackConfigs     []SlackConfig     `yaml:"slack_configs"`
	WebhookConfigs   []map[string]any  `yaml:"webhook_configs"`
	EmailConfigs     []map[string]any  `yaml:"email_configs"`
}

// PagerdutyConfig is a pagerduty_configs entry (keys are redacted by Alertmanager).
type PagerdutyConfig struct {
	RoutingKey string `yaml:"routing_key"`
	ServiceKey string `yaml:"service_key"`
	URL        string `yaml:"url"`
	Severity   string `yaml:"severity"`
}

// SlackConfig is a slack_configs entry.
type SlackConfig struct {
	Channel string `yaml:"channel"`
	APIURL  string `yaml:"api_url"`
}

var matcherRE = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$`)

// ParseMatcher parses an Alertmanager matcher such as severity="critical".
func ParseMatcher(s string) (*labels.Matcher, error) {
	m := matcherRE.FindStringSubmatch(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
	if m == nil {
		return nil, fmt.Errorf("bad matcher %q", s)
	}
	val := m[3]
	if strings.HasPrefix(val, `"`) {
		v, err := strconv.Unquote(val)
		if err != nil {
			return nil, fmt.Errorf("bad matcher %q: %v", s, err)
		}
		val = v
	}
	typ := map[string]labels.MatchType{"=": labels.MatchEqual, "!=": labels.MatchNotEqual, "=~": labels.MatchRegexp, "!~": labels.MatchNotRegexp}[m[2]]
	return labels.NewMatcher(typ, m[1], val)
}

// ParseConfig parses the YAML Alertmanager reports in /api/v2/status.
func ParseConfig(original string) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal([]byte(original), &c); err != nil {
		return nil, fmt.Errorf("alertmanager config: %v", err)
	}
	if c.Route == nil {
		return nil, fmt.Errorf("alertmanager config has no route")
	}
	if err := c.Route.compile(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (r *Route) compile() error {
	for _, s := range r.Matchers {
		m, err := ParseMatcher(s)
		if err != nil {
			return err
		}
		r.matchers = append(r.matchers, m)
	}
	for k, v := range r.Match {
		r.matchers = append(r.matchers, labels.MustNewMatcher(labels.MatchEqual, k, v))
	}
	for k, v := range r.MatchRE {
		m, err := labels.NewMatcher(labels.MatchRegexp, k, v)
		if err != nil {
			return fmt.Errorf("match_re %s: %v", k, err)
		}
		r.matchers = append(r.matchers, m)
	}
	for _, c := range r.Routes {
		if err := c.compile(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Route) matches(ls map[string]string) bool {
	for _, m := range r.matchers {
		if !m.Matches(ls[m.Name]) {
			return false
		}
	}
	return true
}

// ReceiversFor walks the routing tree as Alertmanager does and returns the
// receivers an alert with labels ls is delivered to.
func (c *Config) ReceiversFor(ls map[string]string) []string {
	var out []string
	for _, d := range c.DeliveriesFor(ls) {
		out = append(out, d.Receiver)
	}
	return out
}

// DeliveriesFor walks the routing tree as Alertmanager does and returns
// where an alert with labels ls is delivered, with the time intervals of
// the routes on each matched path.
func (c *Config) DeliveriesFor(ls map[string]string) []Delivery {
	var out []Delivery
	var walk func(r *Route, inherited string, mute, active []string) bool
	walk = func(r *Route, inherited string, mute, active []string) bool {
		if !r.matches(ls) {
			return false
		}
		recv := r.Receiver
		if recv == "" {
			recv = inherited
		}
		mute = append(mute[:len(mute):len(mute)], r.MuteTimeIntervals...)
		active = append(active[:len(active):len(active)], r.ActiveTimeIntervals...)
		matched := false
		for _, ch := range r.Routes {
			if walk(ch, recv, mute, active) {
				matched = true
				if !ch.Continue {
					break
				}
			}
		}
		if !matched {
			out = append(out, Delivery{Receiver: recv, MuteTimeIntervals: mute, ActiveTimeIntervals: active})
		}
		return true
	}
	walk(c.Route, "", nil, nil)
	return out
}

// Receiver returns the receiver named name.
func (c *Config) Receiver(name string) (Receiver, bool) {
	for _, r := range c.Receivers {
		if r.Name == name {
			return r, true
		}
	}
	return Receiver{}, false
}
