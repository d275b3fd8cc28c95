// Package promq queries Prometheus through client_golang's api/v1 with the
// launchcheck configuration (PROMETHEUS_URL, PROMETHEUS_TOKEN,
// HUSTLEXP_HTTP_TIMEOUT), and discovers label names that differ between
// deployments (status_code vs status).
package promq

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Client is a Prometheus API client bounded per call.
type Client struct {
	API     v1.API
	URL     string
	Timeout time.Duration
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// New returns a client for PROMETHEUS_URL.
func New(cfg *config.Config) (*Client, error) {
	var rt http.RoundTripper = http.DefaultTransport
	if tok := cfg.Get(config.PrometheusToken); tok != "" {
		rt = bearer{tok, rt}
	}
	c, err := api.NewClient(api.Config{Address: strings.TrimRight(cfg.Get(config.PrometheusURL), "/"), RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("Prometheus client for %s: %v", cfg.Redacted(config.PrometheusURL), err)
	}
	return &Client{API: v1.NewAPI(c), URL: cfg.Redacted(config.PrometheusURL), Timeout: cfg.Duration(config.HTTPTimeout)}, nil
}

func (c *Client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.Timeout)
}

// Query runs an instant query at ts and returns the vector.
func (c *Client) Query(ctx context.Context, q string, ts time.Time) (model.Vector, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	v, _, _, err := c.API.Query(ctx, q, ts)
	if err != nil {
		return nil, fmt.Errorf("Prometheus %s query %q: %v", c.URL, q, err)
	}
	switch x := v.(type) {
	case model.Vector:
		return x, nil
	case *model.Scalar:
		return model.Vector{&model.Sample{Value: x.Value, Timestamp: x.Timestamp}}, nil
	}
	return nil, fmt.Errorf("Prometheus query %q: got %s, want a vector", q, v.Type())
}

// Scalar runs an instant query that must yield at most one sample; ok is
// false when the result is empty.
func (c *Client) Scalar(ctx context.Context, q string, ts time.Time) (val float64, ok bool, err error) {
	v, err := c.Query(ctx, q, ts)
	if err != nil {
		return 0, false, err
	}
	if len(v) == 0 {
		return 0, false, nil
	}
	if len(v) > 1 {
		return 0, false, fmt.Errorf("Prometheus query %q: %d series, want one (aggregate it)", q, len(v))
	}
	return float64(v[0].Value), true, nil
}

// Range runs a range query and returns the matrix.
func (c *Client) Range(ctx context.Context, q string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	v, _, _, err := c.API.QueryRange(ctx, q, v1.Range{Start: start, End: end, Step: step})
	if err != nil {
		return nil, fmt.Errorf("Prometheus %s range query %q: %v", c.URL, q, err)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("Prometheus range query %q: got %s, want a matrix", q, v.Type())
	}
	return m, nil
}

// ErrNoLabel means the series or the wanted label does not exist (the row
// cannot be judged), as opposed to Prometheus failing to answer.
var ErrNoLabel = errors.New("label not found")

// StatusLabel finds the label carrying the HTTP status on metric (e.g.
// http_requests_total): status_code (the contract), status, code or
// http_status, from the label names of its series in [start, end].
func (c *Client) StatusLabel(ctx context.Context, metric string, start, end time.Time) (string, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	names, err := c.labelNames(ctx, metric, start, end)
	if err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, cand := range []string{"status_code", "status", "code", "http_status", "status_class"} {
		if have[cand] {
			return cand, nil
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no %s series in Prometheus between %s and %s", ErrNoLabel, metric, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	sort.Strings(names)
	return "", fmt.Errorf("%w: %s has no status label (labels: %s; want status_code or status)", ErrNoLabel, metric, strings.Join(names, ", "))
}

// RouteLabel finds the route label (route, path, handler, endpoint).
func (c *Client) RouteLabel(ctx context.Context, metric string, start, end time.Time) (string, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	names, err := c.labelNames(ctx, metric, start, end)
	if err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, cand := range []string{"route", "path", "handler", "endpoint"} {
		if have[cand] {
			return cand, nil
		}
	}
	return "", fmt.Errorf("%w: %s has no route label (labels: %s)", ErrNoLabel, metric, strings.Join(names, ", "))
}

// Is5xx is a matcher for 5xx on label (numeric codes or "5xx" classes).
func Is5xx(label string) string { return fmt.Sprintf(`%s=~"5..|5xx"`, label) }

// PromDuration renders d the way PromQL wants it (e.g. 15m, 90s).
func PromDuration(d time.Duration) string { return model.Duration(d).String() }

func (c *Client) labelNames(ctx context.Context, metric string, start, end time.Time) ([]string, error) {
	ln, _, _, err := c.API.LabelNames(ctx, []string{metric}, start, end)
	if err != nil {
		return nil, fmt.Errorf("Prometheus %s label names of %s: %v", c.URL, metric, err)
	}
	out := make([]string, len(ln))
	for i, n := range ln {
		out[i] = string(n)
	}
	return out, nil
}
