package promq

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/prometheus/common/model"
)

// The backend's HTTP series (contract §3).
const (
	RequestsMetric  = "http_requests_total"
	DurationBuckets = "http_request_duration_seconds_bucket"
	DurationCount   = "http_request_duration_seconds_count"
)

// Requests returns how many requests were counted in the window ending at.
func (c *Client) Requests(ctx context.Context, at time.Time, window time.Duration) (float64, error) {
	v, ok, err := c.Scalar(ctx, fmt.Sprintf("sum(increase(%s[%s]))", RequestsMetric, PromDuration(window)), at)
	if err != nil || !ok {
		return 0, err
	}
	return v, nil
}

// ErrorRateQuery is the 5xx share over window, 0 when no 5xx series exist.
func ErrorRateQuery(statusLabel string, window time.Duration) string {
	w := PromDuration(window)
	return fmt.Sprintf("(sum(rate(%[1]s{%[2]s}[%[3]s])) or vector(0)) / sum(rate(%[1]s[%[3]s]))", RequestsMetric, Is5xx(statusLabel), w)
}

// P99Query is the 99th percentile latency over window.
func P99Query(window time.Duration) string {
	return fmt.Sprintf("histogram_quantile(0.99, sum by (le) (rate(%s[%s])))", DurationBuckets, PromDuration(window))
}

// Point is one value of a series.
type Point struct {
	T time.Time
	V float64
}

// Series runs a range query that must yield at most one series and returns
// its points (NaN points dropped).
func (c *Client) Series(ctx context.Context, q string, start, end time.Time, step time.Duration) ([]Point, error) {
	m, err := c.Range(ctx, q, start, end, step)
	if err != nil {
		return nil, err
	}
	if len(m) > 1 {
		return nil, fmt.Errorf("range query %q: %d series, want one", q, len(m))
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

// XY splits points into chart axes (times formatted with layout).
func XY(ps []Point, layout string, scale float64) ([]string, []float64) {
	xs, ys := make([]string, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		xs[i], ys[i] = p.T.UTC().Format(layout), math.Round(p.V*scale*10000)/10000
	}
	return xs, ys
}

// ByLabel runs an instant query and returns value per value of label, sorted
// by value descending.
func (c *Client) ByLabel(ctx context.Context, q, label string, at time.Time) ([]LabelValue, error) {
	v, err := c.Query(ctx, q, at)
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

// LabelValue is one labelled value.
type LabelValue struct {
	Label string
	Value float64
}
