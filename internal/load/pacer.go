package load

import (
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Constant paces ratePerSecond requests per second (resolution: requests per
// minute, so 0.9/s is exactly 54 a minute).
func Constant(ratePerSecond float64) vegeta.Pacer {
	return vegeta.ConstantPacer{Freq: int(math.Round(ratePerSecond * 60)), Per: time.Minute}
}

// Stage is one k6 stage: ramp linearly to Target virtual users over Duration.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// Stages paces like a k6 ramping-vus scenario whose VUs each send PerVU
// requests per second: the arrival rate at t is VUs(t)·PerVU, VUs ramping
// linearly from the previous stage's target (0 at the start) to the stage's.
type Stages struct {
	Stages []Stage
	PerVU  float64
}

// Total is the sum of the stage durations.
func (p Stages) Total() time.Duration {
	var d time.Duration
	for _, s := range p.Stages {
		d += s.Duration
	}
	return d
}

// Requests is the planned number of requests (the rate integrated over Total).
func (p Stages) Requests() int { return int(math.Floor(p.hitsAt(p.Total()))) }

// PeakRate is the highest arrival rate in requests per second.
func (p Stages) PeakRate() float64 {
	m := 0.0
	for _, s := range p.Stages {
		m = math.Max(m, s.Target)
	}
	return m * p.PerVU
}

// PeakVUs is the highest stage target.
func (p Stages) PeakVUs() float64 { return p.PeakRate() / p.PerVU }

// hitsAt integrates the rate up to t.
func (p Stages) hitsAt(t time.Duration) float64 {
	var h, from float64
	var at time.Duration
	for _, s := range p.Stages {
		d := s.Duration
		if t <= at {
			break
		}
		span := min(d, t-at)
		frac := span.Seconds() / d.Seconds()
		to := from + (s.Target-from)*frac
		h += (from + to) / 2 * span.Seconds() * p.PerVU
		at += d
		from = s.Target
	}
	return h
}

// Rate is the arrival rate (requests per second) at elapsed.
func (p Stages) Rate(elapsed time.Duration) float64 {
	var from float64
	var at time.Duration
	for _, s := range p.Stages {
		if elapsed < at+s.Duration {
			frac := (elapsed - at).Seconds() / s.Duration.Seconds()
			return (from + (s.Target-from)*frac) * p.PerVU
		}
		at += s.Duration
		from = s.Target
	}
	return 0
}

// Pace implements vegeta.Pacer.
func (p Stages) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	total := p.Total()
	if elapsed >= total {
		return 0, true
	}
	if float64(hits) < p.hitsAt(elapsed) {
		return 0, false
	}
	// When are hits+1 due? Bisection on the monotone integral.
	want := float64(hits) + 1
	if p.hitsAt(total) < want {
		return total - elapsed, true
	}
	lo, hi := elapsed, total
	for i := 0; i < 40 && hi-lo > time.Millisecond; i++ {
		mid := (lo + hi) / 2
		if p.hitsAt(mid) < want {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi - elapsed, false
}
