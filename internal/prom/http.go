package prom

import (
	"context"
	"fmt"
	"math"
	"time"
)

// The backend's HTTP series (prom-client, contract §3).
const (
	RequestsMetric  = "http_requests_total"
	DurationBuckets = "http_request_duration_seconds_bucket"
	DurationCount   = "http_request_duration_seconds_count"
)

// Is5xx is a matcher for 5xx on label (numeric codes or "5xx" classes).
func Is5xx(label string) string { return fmt.Sprintf(`%s=~"5..|5xx"`, label) }

// ErrorRateQuery is THE error rate of the suite (GNG-1, DAY-1): the share of
// http_requests_total answered 5xx over window, 0 when no 5xx series exist,
// no result when no request was counted.
func ErrorRateQuery(statusLabel string, window time.Duration) string {
	w := PromDuration(window)
	return fmt.Sprintf("(sum(rate(%[1]s{%[2]s}[%[3]s])) or vector(0)) / sum(rate(%[1]s[%[3]s]))", RequestsMetric, Is5xx(statusLabel), w)
}

// RequestsQuery counts the requests of the window (http_requests_total).
func RequestsQuery(window time.Duration) string {
	return fmt.Sprintf("sum(increase(%s[%s]))", RequestsMetric, PromDuration(window))
}

// TimedRequestsQuery counts the requests the latency histogram saw in the window.
func TimedRequestsQuery(window time.Duration) string {
	return fmt.Sprintf("sum(increase(%s[%s]))", DurationCount, PromDuration(window))
}

// P99Query is the 99th percentile latency (seconds) over window, from the
// histogram (GNG-2, WK-2).
func P99Query(window time.Duration) string {
	return fmt.Sprintf("histogram_quantile(0.99, sum by (le) (rate(%s[%s])))", DurationBuckets, PromDuration(window))
}

// Requests returns how many requests were counted in the window ending at.
func (c *Client) Requests(ctx context.Context, at time.Time, window time.Duration) (float64, error) {
	v, ok, err := c.Scalar(ctx, RequestsQuery(window), at)
	if err != nil || !ok {
		return 0, err
	}
	return v, nil
}

// Window is one step of a windowed evaluation: the judged value (an error
// share, a P99 in seconds) and the traffic it rests on, for the window of
// one step ending at End.
type Window struct {
	End      time.Time
	Value    float64
	HasValue bool    // false: the value query returned nothing for this window
	Requests float64 // requests counted in the window (0: none recorded)
}

// Windows evaluates value (a query over one window) and count (the traffic
// of the same window) at every step from start to end: the one windowed
// evaluation GNG-1, DAY-1 and WK-2 judge, each with its own minimum traffic
// per window (Judged).
func (c *Client) Windows(ctx context.Context, value, count string, start, end time.Time, step time.Duration) ([]Window, error) {
	vals, err := c.Points(ctx, value, start, end, step)
	if err != nil {
		return nil, err
	}
	counts, err := c.Points(ctx, count, start, end, step)
	if err != nil {
		return nil, err
	}
	byT := map[int64]*Window{}
	var out []Window
	for t := start; !t.After(end); t = t.Add(step) {
		out = append(out, Window{End: t})
	}
	for i := range out {
		byT[out[i].End.Unix()] = &out[i]
	}
	for _, p := range counts {
		if w := byT[p.T.Unix()]; w != nil {
			w.Requests = p.V
		}
	}
	for _, p := range vals {
		if w := byT[p.T.Unix()]; w != nil && !math.IsNaN(p.V) {
			w.Value, w.HasValue = p.V, true
		}
	}
	return out, nil
}

// Judged keeps the windows with a value and at least minRequests requests;
// quiet counts the others.
func Judged(ws []Window, minRequests float64) (judged []Window, quiet int) {
	for _, w := range ws {
		if w.HasValue && w.Requests >= minRequests {
			judged = append(judged, w)
		} else {
			quiet++
		}
	}
	return judged, quiet
}

// AsPoints turns windows with a value into points (charts, Worst).
func AsPoints(ws []Window) []Point {
	var out []Point
	for _, w := range ws {
		if w.HasValue {
			out = append(out, Point{w.End, w.Value})
		}
	}
	return out
}

// MinWindowRequests: a window with fewer requests is too small to judge an
// error share alone (one error in five requests is not a 20 % error rate);
// GNG-1 and DAY-1 leave such windows out.
const MinWindowRequests = 20.0
