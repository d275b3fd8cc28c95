// Package smoke holds the launch-day smoke tests SMK-1..SMK-5 (tag t0).
package smoke
