// Package postlaunch holds the nightly post-launch checks: Day 1 (tag day1)
// and Week 1 (tag week1).
package postlaunch
