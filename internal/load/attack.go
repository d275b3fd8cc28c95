package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Request is one request of an attack: a path under the base URL and its
// headers.
type Request struct {
	Path   string
	Header http.Header
}

// Options configures Attack.
type Options struct {
	BaseURL  string
	Pacer    vegeta.Pacer
	Duration time.Duration
	// Next returns the i-th request (i from 0).
	Next    func(i uint64) Request
	Timeout time.Duration // per request
	// Workers is the initial number of vegeta workers (default 8); more are
	// started as needed, up to MaxWorkers (default 2048).
	Workers, MaxWorkers uint64
	MaxBody             int64  // bytes of each response read (default 64 KiB)
	Name                string // attack name (vegeta)
}

// Sample is one answered or failed request.
type Sample struct {
	Path    string
	At      time.Duration // since the attack began
	Latency time.Duration
	Code    int    // 0: no response
	Err     string // transport error, if any
}

// Result is what an attack observed.
type Result struct {
	Samples []Sample
	Planned time.Duration // Options.Duration
	Elapsed time.Duration
}

// Sent is the number of requests sent.
func (r *Result) Sent() int { return len(r.Samples) }

// Latencies returns the latencies of the samples keep accepts (all when nil).
func (r *Result) Latencies(keep func(Sample) bool) []time.Duration {
	var out []time.Duration
	for _, s := range r.Samples {
		if keep == nil || keep(s) {
			out = append(out, s.Latency)
		}
	}
	return out
}

// PerSecond buckets the samples keep accepts by elapsed second and returns
// x = "+Ns" (N from 1) and y = the q-percentile latency of that second in
// milliseconds; seconds without a sample are left out.
func (r *Result) PerSecond(q float64, keep func(Sample) bool) ([]string, []float64) {
	byS := map[int][]time.Duration{}
	last := -1
	for _, s := range r.Samples {
		if keep != nil && !keep(s) {
			continue
		}
		sec := int(s.At / time.Second)
		byS[sec] = append(byS[sec], s.Latency)
		last = max(last, sec)
	}
	var xs []string
	var ys []float64
	for sec := 0; sec <= last; sec++ {
		if len(byS[sec]) == 0 {
			continue
		}
		xs = append(xs, fmt.Sprintf("+%ds", sec+1))
		ys = append(ys, float64(Percentile(byS[sec], q).Microseconds())/1000)
	}
	return xs, ys
}

// Attack sends o.Next's requests to o.BaseURL at o.Pacer's arrival rate for
// o.Duration (open model) and returns every sample. Redirects are not
// followed; each request is bounded by o.Timeout; a cancelled ctx stops the
// attack and returns what was observed with an error.
func Attack(ctx context.Context, o Options) (*Result, error) {
	res := &Result{Planned: o.Duration}
	if o.Pacer == nil || o.Duration <= 0 || o.Next == nil {
		return res, fmt.Errorf("load: nothing to send (pacer %v, duration %s)", o.Pacer, o.Duration)
	}
	if o.Workers == 0 {
		o.Workers = 8
	}
	if o.MaxWorkers == 0 {
		o.MaxWorkers = 2048
	}
	if o.MaxBody == 0 {
		o.MaxBody = 64 << 10
	}
	base := strings.TrimRight(o.BaseURL, "/")
	var n atomic.Uint64
	targeter := func(tgt *vegeta.Target) error {
		req := o.Next(n.Add(1) - 1)
		tgt.Method = http.MethodGet
		tgt.URL = base + req.Path
		tgt.Header = req.Header
		return nil
	}
	client := &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     30 * time.Second,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(o.Workers), vegeta.MaxWorkers(o.MaxWorkers), vegeta.MaxBody(o.MaxBody))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	start := time.Now()
	for r := range atk.Attack(vegeta.Targeter(targeter), o.Pacer, o.Duration, o.Name) {
		res.Samples = append(res.Samples, Sample{Path: strings.TrimPrefix(r.URL, base), At: r.Timestamp.Sub(start),
			Latency: r.Latency, Code: int(r.Code), Err: r.Error})
	}
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("load stopped after %s of %s: %w", res.Elapsed.Round(time.Millisecond), o.Duration, err)
	}
	return res, nil
}
