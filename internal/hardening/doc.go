// Package hardening holds the end-to-end tests that make the suite safe to aim
// at production (issue 7): no secret is ever printed (canary scan of a whole
// live-mode run), nothing hangs (black-hole and closed-port targets), live
// checks work under a SELECT-only role, waivers are validated, and a run
// leaves no residue. They drive the real CLI and `go test` as a user would.
//
// The live-mode run (canaries, read-only role, residue) and the waiver tests
// run in `make test`; the black-hole/closed-port runs are slow and need
// HUSTLEXP_HARDEN=1 (`make harden`).
package hardening
