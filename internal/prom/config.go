package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/hustlexp/launchcheck/internal/config"
)

// NewFromConfig returns a client for PROMETHEUS_URL (bearer
// PROMETHEUS_TOKEN when set), each call bounded by HUSTLEXP_HTTP_TIMEOUT;
// errors show the URL redacted.
func NewFromConfig(cfg *config.Config) (*Client, error) {
	return newFromConfig(cfg)
}

// FromConfig is NewFromConfig for a loaded configuration, which cannot fail:
// the only thing the Prometheus client rejects is a PROMETHEUS_URL that does
// not parse, and config.Load has already validated it as an absolute http(s)
// URL (KindURL). A panic here is a bug in the suite (a Config not built by
// config.Load), never a state of the target.
func FromConfig(cfg *config.Config) *Client {
	c, err := newFromConfig(cfg)
	if err != nil {
		panic(fmt.Sprintf("prom.FromConfig: %v (PROMETHEUS_URL was validated by config.Load)", err))
	}
	return c
}

func newFromConfig(cfg *config.Config) (*Client, error) {
	c, err := api.NewClient(api.Config{Address: strings.TrimRight(cfg.Get(config.PrometheusURL), "/"),
		RoundTripper: transport{token: cfg.Get(config.PrometheusToken), next: http.DefaultTransport}})
	if err != nil {
		return nil, fmt.Errorf("prometheus client for %s: %v", cfg.Redacted(config.PrometheusURL), err)
	}
	return &Client{API: v1.NewAPI(c), URL: cfg.Redacted(config.PrometheusURL), Timeout: cfg.Duration(config.HTTPTimeout),
		scoped: true, selector: cfg.Get(config.PromSelector)}, nil
}

// Vector runs an instant query at ts that must yield a vector (a scalar
// becomes a one-sample vector).
func (c *Client) Vector(ctx context.Context, q string, ts time.Time) (model.Vector, error) {
	v, err := c.Query(ctx, q, ts)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case model.Vector:
		return x, nil
	case *model.Scalar:
		return model.Vector{&model.Sample{Value: x.Value, Timestamp: x.Timestamp}}, nil
	}
	return nil, fmt.Errorf("prometheus query %s: result type %s, want a vector", q, v.Type())
}

// Scalar runs an instant query that must yield at most one sample; ok is
// false when the result is empty.
func (c *Client) Scalar(ctx context.Context, q string, ts time.Time) (val float64, ok bool, err error) {
	v, err := c.Vector(ctx, q, ts)
	if err != nil {
		return 0, false, err
	}
	if len(v) == 0 {
		return 0, false, nil
	}
	if len(v) > 1 {
		return 0, false, fmt.Errorf("prometheus query %s: %d series, want one (aggregate it)", q, len(v))
	}
	return float64(v[0].Value), true, nil
}

// Point is one value of a series.
type Point struct {
	T time.Time
	V float64
}

// Points runs a range query that must yield at most one series and returns
// its points (NaN and infinite points dropped).
func (c *Client) Points(ctx context.Context, q string, start, end time.Time, step time.Duration) ([]Point, error) {
	m, err := c.QueryRange(ctx, q, start, end, step)
	if err != nil {
		return nil, err
	}
	if len(m) > 1 {
		return nil, fmt.Errorf("prometheus query_range %s: %d series, want one", q, len(m))
	}
	var out []Point
	for _, s := range m {
		for _, p := range s.Values {
			if v := float64(p.Value); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, Point{p.Timestamp.Time(), v})
			}
		}
	}
	return out, nil
}

// Worst returns the point with the highest value.
func Worst(ps []Point) (Point, bool) {
	if len(ps) == 0 {
		return Point{}, false
	}
	w := ps[0]
	for _, p := range ps[1:] {
		if p.V > w.V {
			w = p
		}
	}
	return w, true
}

// XY splits points into chart axes (times formatted with layout, values
// multiplied by scale).
func XY(ps []Point, layout string, scale float64) ([]string, []float64) {
	xs, ys := make([]string, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		xs[i], ys[i] = p.T.UTC().Format(layout), math.Round(p.V*scale*10000)/10000
	}
	return xs, ys
}

// LabelValue is one labelled value.
type LabelValue struct {
	Label string
	Value float64
}

// ByLabel runs an instant query and returns the value per value of label,
// highest first.
func (c *Client) ByLabel(ctx context.Context, q, label string, at time.Time) ([]LabelValue, error) {
	v, err := c.Vector(ctx, q, at)
	if err != nil {
		return nil, err
	}
	out := make([]LabelValue, 0, len(v))
	for _, s := range v {
		out = append(out, LabelValue{string(s.Metric[model.LabelName(label)]), float64(s.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	return out, nil
}

// ErrNoLabel means the series or the wanted label does not exist (the row
// cannot be judged), as opposed to Prometheus failing to answer.
var ErrNoLabel = errors.New("label not found")

// StatusLabel finds the label carrying the HTTP status on metric: status_code
// (the backend's), status, code, http_status or status_class, from the label
// names of its series in [start, end].
func (c *Client) StatusLabel(ctx context.Context, metric string, start, end time.Time) (string, error) {
	names, err := c.labelNames(ctx, metric, start, end)
	if err != nil {
		return "", err
	}
	if l := firstOf(names, "status_code", "status", "code", "http_status", "status_class"); l != "" {
		return l, nil
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no %s series in Prometheus between %s and %s", ErrNoLabel, metric, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	return "", fmt.Errorf("%w: %s has no status label (labels: %s; want status_code or status)", ErrNoLabel, metric, strings.Join(names, ", "))
}

// RouteLabel finds the route label of metric (route, path, handler, endpoint).
func (c *Client) RouteLabel(ctx context.Context, metric string, start, end time.Time) (string, error) {
	names, err := c.labelNames(ctx, metric, start, end)
	if err != nil {
		return "", err
	}
	if l := firstOf(names, "route", "path", "handler", "endpoint"); l != "" {
		return l, nil
	}
	return "", fmt.Errorf("%w: %s has no route label (labels: %s)", ErrNoLabel, metric, strings.Join(names, ", "))
}

// LabelValues lists the values of label on the series matching match in
// [start, end], sorted.
func (c *Client) LabelValues(ctx context.Context, label, match string, start, end time.Time) ([]string, error) {
	match, err := c.scope(ctx, match, start, end)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	vs, _, _, err := c.API.LabelValues(ctx, label, []string{match}, start, end)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("label values of %s on %s", label, match), err)
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	sort.Strings(out)
	return out, nil
}

func firstOf(have []string, cands ...string) string {
	set := map[string]bool{}
	for _, n := range have {
		set[n] = true
	}
	for _, c := range cands {
		if set[c] {
			return c
		}
	}
	return ""
}

func (c *Client) labelNames(ctx context.Context, metric string, start, end time.Time) ([]string, error) {
	match, err := c.scope(ctx, metric, start, end)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	ln, _, _, err := c.API.LabelNames(ctx, []string{match}, start, end)
	if err != nil {
		return nil, c.wrap("label names of "+metric, err)
	}
	out := make([]string, len(ln))
	for i, n := range ln {
		out[i] = string(n)
	}
	sort.Strings(out)
	return out, nil
}

// PromDuration renders d the way PromQL wants it (e.g. 15m, 90s).
func PromDuration(d time.Duration) string { return model.Duration(d).String() }
