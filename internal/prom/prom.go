// Package prom is the suite's one Prometheus client: a thin wrapper over the
// official Go client (client_golang api/prometheus/v1, which alone has no
// bearer auth, per-call deadline or body cap): bearer auth, a deadline per
// call, capped response bodies, errors that name the query; NewFromConfig
// for PROMETHEUS_URL, label discovery (status/route/job), and the backend's
// HTTP queries — the one error-rate query and the one windowed evaluation
// GNG-1, DAY-1 and WK-2 judge (http.go). A client built from the
// configuration scopes every query of the backend's series to the
// deployment under test (HUSTLEXP_PROM_SELECTOR, scope.go).
package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// MaxBody caps every response body.
const MaxBody = 32 << 20

// Client queries one Prometheus.
type Client struct {
	API     v1.API
	URL     string
	Timeout time.Duration

	// scoped clients (NewFromConfig) add the deployment's matchers to every
	// selector of the backend's series (scope.go); selector is
	// HUSTLEXP_PROM_SELECTOR.
	scoped   bool
	selector string
	mu       sync.Mutex // guards scopes
	scopes   map[[2]int64]Scope
}

type transport struct {
	token string
	next  http.RoundTripper
}

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, MaxBody), resp.Body}
	return resp, nil
}

// New returns a client for the Prometheus at url (token optional).
func New(url, token string, timeout time.Duration) (*Client, error) {
	c, err := api.NewClient(api.Config{Address: strings.TrimRight(url, "/"), RoundTripper: transport{token: token, next: http.DefaultTransport}})
	if err != nil {
		return nil, fmt.Errorf("prometheus client for %s: %w", url, err)
	}
	return &Client{API: v1.NewAPI(c), URL: url, Timeout: timeout}, nil
}

func (c *Client) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var pe *v1.Error
	if errors.As(err, &pe) {
		return fmt.Errorf("prometheus %s: %s: %s", what, pe.Type, pe.Msg)
	}
	return fmt.Errorf("prometheus %s at %s: %w", what, c.URL, err)
}

// Query runs an instant query at ts.
func (c *Client) Query(ctx context.Context, q string, ts time.Time) (model.Value, error) {
	q, err := c.scope(ctx, q, ts.Add(-lookback(q)), ts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	v, _, _, err := c.API.Query(ctx, q, ts)
	return v, c.wrap("query "+q, err)
}

// QueryRange runs a range query.
func (c *Client) QueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	q, err := c.scope(ctx, q, start.Add(-lookback(q)), end)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	v, _, _, err := c.API.QueryRange(ctx, q, v1.Range{Start: start, End: end, Step: step})
	if err != nil {
		return nil, c.wrap("query_range "+q, err)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("prometheus query_range %s: result type %s, want matrix", q, v.Type())
	}
	return m, nil
}

// Series lists the series matching any of match in [start, end].
func (c *Client) Series(ctx context.Context, match []string, start, end time.Time) ([]model.LabelSet, error) {
	match, err := c.scopeAll(ctx, match, start, end)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	s, _, _, err := c.API.Series(ctx, match, start, end)
	return s, c.wrap(fmt.Sprintf("series %v", match), err)
}

// Rules returns the loaded rule groups.
func (c *Client) Rules(ctx context.Context) (v1.RulesResult, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	r, err := c.API.Rules(ctx, nil)
	return r, c.wrap("rules", err)
}

// Alerts returns the active alerts of the rule manager.
func (c *Client) Alerts(ctx context.Context) (v1.AlertsResult, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	r, err := c.API.Alerts(ctx)
	return r, c.wrap("alerts", err)
}

// SeriesCount returns how many series a query's result has (instant
// vector, or matrix for range queries).
func SeriesCount(v model.Value) int {
	switch x := v.(type) {
	case model.Vector:
		return len(x)
	case model.Matrix:
		return len(x)
	case *model.Scalar:
		return 1
	}
	return 0
}
