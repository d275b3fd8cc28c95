// Package launch holds the pre-launch (T-7) checks — Infrastructure, Security,
// Database, Monitoring and the Rollback Plan readiness (tag prelaunch) — and
// the launch-day Go/No-Go decision (tag t0).
//
// Each section is a file pair: <section>.go (the checks, untagged, so the
// self-tests can run them against faults) and <section>_test.go (the tagged
// checklist tests, thin). <section>_selftest_test.go proves each check fails.
package launch
