package hardening

import (
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// DeadEnv returns a live-mode (staging) configuration that points every
// endpoint of every row at addr — a black hole or a closed port — with every
// credential set, so each check gets past check.Need and really dials.
func DeadEnv(addr string, checkTimeout time.Duration) map[string]string {
	vars := map[string]string{
		config.HustlexpTarget:   "staging",
		config.RunID:            "deadtarget",
		config.CheckTimeout:     checkTimeout.String(),
		config.HTTPTimeout:      "3s",
		config.StatementTimeout: "2s",
	}
	for _, v := range config.Vars() {
		if _, set := vars[v.Name]; set {
			continue
		}
		switch v.Group {
		case "Rehearsal", "Report":
			continue
		}
		switch {
		case v.Secret && v.Kind != config.KindDSN && v.Kind != config.KindRedisURL && v.Kind != config.KindURL:
			vars[v.Name] = "deadtarget-credential-" + strings.ToLower(v.Name)
		case v.Kind == config.KindURL:
			path := ""
			rest := strings.TrimPrefix(strings.TrimPrefix(v.Default, "https://"), "http://")
			if i := strings.Index(rest, "/"); i >= 0 && v.Default != "" {
				path = rest[i:]
			}
			vars[v.Name] = "http://" + addr + path
		case v.Kind == config.KindDSN:
			vars[v.Name] = "postgres://launchcheck:deadtarget@" + addr + "/hustlexp?sslmode=disable"
		case v.Kind == config.KindRedisURL:
			vars[v.Name] = "redis://" + addr + "/0"
		case v.Kind == config.KindPath && v.Name != config.Waivers:
			vars[v.Name] = "/nonexistent/launchcheck-deadtarget/" + strings.ToLower(v.Name)
		case v.Kind == config.KindString && v.Default == "":
			vars[v.Name] = "deadtarget"
		}
	}
	// WK-1's deadline is its k6-stress profile plus the check timeout; the
	// profile is scaled down so a dead-target run does not take 8 minutes.
	if _, ok := config.Lookup("HUSTLEXP_STRESS_TIME_SCALE"); ok {
		vars["HUSTLEXP_STRESS_TIME_SCALE"] = "0.02"
	}
	// host:port and host settings that are plain strings.
	for name, val := range map[string]string{
		"HUSTLEXP_API_DIAL_ADDR":      addr,
		"FIREBASE_AUTH_EMULATOR_HOST": addr,
		"HUSTLEXP_DNS_RESOLVERS":      addr,
		"HUSTLEXP_API_HOST":           "api.deadtarget.test",
	} {
		if _, ok := config.Lookup(name); ok {
			vars[name] = val
		}
	}
	return vars
}
