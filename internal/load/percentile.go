package load

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank q-quantile (0 ≤ q ≤ 1) of ds: the
// sample of rank ⌈q·n⌉ in ascending order (see the package doc). It returns 0
// for no samples.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[Rank(len(s), q)-1]
}

// Rank is the 1-based nearest rank of the q-quantile among n samples.
func Rank(n int, q float64) int {
	r := int(math.Ceil(q * float64(n)))
	return min(max(r, 1), n)
}

// Max returns the largest of ds (0 for none).
func Max(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
