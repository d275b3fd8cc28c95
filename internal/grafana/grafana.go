// Package grafana reads dashboards from the Grafana HTTP API
// (GET /api/dashboards/uid/<uid>) with plain net/http and typed structs,
// and parses dashboard payload files (ops/grafana/dashboard.json).
package grafana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ErrNotFound is returned when Grafana has no dashboard with the uid.
var ErrNotFound = errors.New("dashboard not found")

// Client talks to one Grafana.
type Client struct {
	Base    string
	Token   string
	Timeout time.Duration
	HTTP    *http.Client
}

// New returns a client for base with a service-account token.
func New(base, token string, timeout time.Duration) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, Timeout: timeout, HTTP: &http.Client{Timeout: timeout}}
}

// Dashboard is the part of a dashboard model the checks read.
type Dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []Panel `json:"panels"`
}

// Panel is one panel (rows carry nested panels when collapsed).
type Panel struct {
	ID      int      `json:"id"`
	Type    string   `json:"type"`
	Title   string   `json:"title"`
	Targets []Target `json:"targets"`
	Panels  []Panel  `json:"panels"`
}

// Target is one query of a panel.
type Target struct {
	RefID string `json:"refId"`
	Expr  string `json:"expr"`
	Hide  bool   `json:"hide"`
}

// Payload is the dashboard API payload ({"dashboard":{…}}) and the
// GET /api/dashboards/uid response ({"dashboard":{…},"meta":{…}}).
type Payload struct {
	Dashboard *Dashboard `json:"dashboard"`
	Meta      struct {
		Slug        string    `json:"slug"`
		URL         string    `json:"url"`
		FolderTitle string    `json:"folderTitle"`
		Updated     time.Time `json:"updated"`
		Version     int       `json:"version"`
	} `json:"meta"`
}

// ParseFile parses a dashboard file: the API payload {"dashboard":{…}} or
// a bare dashboard model.
func ParseFile(data []byte) (*Dashboard, error) {
	var p Payload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("dashboard file is not JSON: %v", err)
	}
	d := p.Dashboard
	if d == nil {
		d = &Dashboard{}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("dashboard file: %v", err)
		}
	}
	if d.UID == "" {
		return nil, errors.New("dashboard file has no uid (dashboard.uid)")
	}
	return d, nil
}

// QueryPanels flattens rows and returns the panels that have queries.
func (d *Dashboard) QueryPanels() []Panel {
	var out []Panel
	var walk func(ps []Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			if len(p.Targets) > 0 {
				out = append(out, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Exprs returns the panel's visible PromQL expressions.
func (p Panel) Exprs() []string {
	var out []string
	for _, t := range p.Targets {
		if !t.Hide && strings.TrimSpace(t.Expr) != "" {
			out = append(out, t.Expr)
		}
	}
	return out
}

var varRE = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)(_ms|_s)?\}?`)
var userVarRE = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// Expand replaces Grafana's built-in interval variables with concrete
// durations and user variables with a match-all regex, so the query can be
// parsed and run as PromQL.
func Expand(expr string) string {
	expr = varRE.ReplaceAllString(expr, "5m")
	return userVarRE.ReplaceAllString(expr, ".*")
}

// Dashboard fetches the dashboard with uid.
func (c *Client) Dashboard(ctx context.Context, uid string) (*Payload, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	path := "/api/dashboards/uid/" + url.PathEscape(uid)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("grafana GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("grafana GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("grafana GET %s: reading body: %w", path, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("grafana GET %s = 404: %w", path, ErrNotFound)
	default:
		return nil, fmt.Errorf("grafana GET %s = %d, want 200: %.200s", path, resp.StatusCode, body)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil || p.Dashboard == nil {
		return nil, fmt.Errorf("grafana GET %s: not a dashboard response: %v (%.120s)", path, err, body)
	}
	return &p, nil
}
