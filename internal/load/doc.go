// Package load is launchcheck's one load engine, used by SMK-1 (the k6-smoke
// equivalent) and WK-1 (the k6-stress equivalent): an open-model HTTP attack
// with vegeta at a constant or k6-style ramping arrival rate, the samples it
// observed and their summary, and a runner for the backend's own k6 scripts.
//
// # Percentiles
//
// Every percentile in the suite's load rows is the nearest-rank percentile:
// the q-quantile of n samples sorted ascending is the sample of 1-based rank
// ⌈q·n⌉ (rank 1 for q = 0). It is always a latency that was actually
// observed, never a value between two samples: p99 of 100 samples is the 99th
// smallest, p99 of 50 samples is the largest, p95 of 20 samples is the 19th.
// k6 interpolates linearly between the closest ranks instead, so on small
// samples k6's figure can be lower than ours by up to one gap between
// neighbouring samples; the two agree as n grows. SMK-1, WK-1, their
// per-second series and SMK-3's evidence all use Percentile.
//
// # Open model
//
// Requests are sent at the planned arrival rate whatever the target's
// response time (vegeta's pacer, not closed-loop virtual users), so a slow
// response does not delay the next request and latency is not hidden by
// coordinated omission.
package load
