package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

// The one percentile definition is nearest rank: always an observed sample.
// Linear interpolation (the engine SMK-1 used before) gives 112 ms for p95
// of these five samples; nearest rank gives the slowest one.
func TestPercentileNearestRank(t *testing.T) {
	five := ms(20, 30, 40, 50, 120)
	for _, tc := range []struct {
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{five, 0.95, 120 * time.Millisecond},
		{five, 0.5, 40 * time.Millisecond},
		{five, 0, 20 * time.Millisecond},
		{five, 1, 120 * time.Millisecond},
		{ms(5, 1, 4, 2, 3, 10, 9, 8, 7, 6, 15, 14, 13, 12, 11, 20, 19, 18, 17, 16), 0.95, 19 * time.Millisecond}, // rank 19 of 20
		{nil, 0.99, 0},
	} {
		if got := Percentile(tc.ds, tc.q); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v (nearest rank ⌈q·n⌉)", tc.ds, tc.q, got, tc.want)
		}
	}
	// p99 of 100 samples 1..100 ms is the 99th.
	var hundred []time.Duration
	for i := 100; i >= 1; i-- {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	if got := Percentile(hundred, 0.99); got != 99*time.Millisecond {
		t.Errorf("p99 of 1..100 ms = %v, want 99ms", got)
	}
}

// k6-stress.js's stages at one request per 0.35 s per VU are about 71k
// requests in 8 minutes: the figure WK-1 announces before it starts.
func TestStagesPlan(t *testing.T) {
	p := Stages{Stages: []Stage{{time.Minute, 10}, {2 * time.Minute, 50}, {2 * time.Minute, 100}, {time.Minute, 100}, {2 * time.Minute, 0}}, PerVU: 1 / 0.35}
	if p.Total() != 8*time.Minute {
		t.Fatalf("total %s", p.Total())
	}
	if n := p.Requests(); n < 71000 || n > 71300 {
		t.Fatalf("requests %d, want ≈71,143 (24,900 VU·s ÷ 0.35 s)", n)
	}
	if r := p.PeakRate(); r < 285 || r > 286 {
		t.Fatalf("peak %.1f/s", r)
	}
}

func TestAttackConstant(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/b" {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	res, err := Attack(context.Background(), Options{BaseURL: srv.URL + "/", Pacer: Constant(50), Duration: time.Second, Timeout: time.Second,
		Next: func(i uint64) Request { return Request{Path: []string{"/a", "/b"}[i%2]} }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent() < 45 || res.Sent() > 51 {
		t.Fatalf("sent %d at 50/s for 1s", res.Sent())
	}
	limited := res.Latencies(func(s Sample) bool { return s.Code == http.StatusTooManyRequests })
	if len(limited) != res.Sent()/2 {
		t.Fatalf("%d of %d were 429, want half", len(limited), res.Sent())
	}
	if xs, _ := res.PerSecond(0.99, nil); len(xs) == 0 || !strings.HasPrefix(xs[0], "+1s") {
		t.Fatalf("series %v", xs)
	}
	if _, err := Attack(context.Background(), Options{BaseURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "nothing to send") {
		t.Fatalf("empty options: %v", err)
	}
}
