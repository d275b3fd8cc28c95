//go:build !prelaunch && !t0 && !day1 && !week1

package tlscheck

import "testing"

func TestHSTSMaxAge(t *testing.T) {
	for v, want := range map[string]int64{
		"max-age=31536000; includeSubDomains; preload": 31536000,
		`MAX-AGE="63072000"`:                           63072000,
		"includeSubDomains; max-age=86400":             86400,
	} {
		if got, ok := HSTSMaxAge(v); !ok || got != want {
			t.Errorf("HSTSMaxAge(%q) = %d, %v; want %d", v, got, ok, want)
		}
	}
	if _, ok := HSTSMaxAge("includeSubDomains"); ok {
		t.Error("no max-age: want ok=false")
	}
}
