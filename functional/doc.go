// Package functional holds the launch-day functional verification FUN-1..FUN-7
// (tag t0): one flow over the real API, one test per checklist row.
package functional
