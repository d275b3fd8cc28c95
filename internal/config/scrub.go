package config

import (
	"net/url"
	"os"
	"strings"
)

// ScrubValues returns every value that must never appear in output, read
// through getenv WITHOUT validation (so a malformed environment is still
// scrubbed): the values of secret variables, and the passwords and
// credential-like query parameters inside URL and DSN variables. Values
// shorter than 6 characters are left out (they would redact ordinary words).
func ScrubValues(getenv func(string) string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 6 {
			out = append(out, s)
		}
	}
	for _, v := range Vars() {
		raw := strings.TrimSpace(getenv(v.Name))
		if raw == "" {
			continue
		}
		if v.Secret {
			add(raw)
			continue
		}
		switch v.Kind {
		case KindDSN, KindRedisURL, KindURL:
			u, err := url.Parse(raw)
			if err != nil {
				continue
			}
			if u.User != nil {
				if p, ok := u.User.Password(); ok {
					add(p)
					add(url.QueryEscape(p))
				}
			}
			for k, vals := range u.Query() {
				lk := strings.ToLower(k)
				if strings.Contains(lk, "pass") || strings.Contains(lk, "token") || strings.Contains(lk, "key") || strings.Contains(lk, "secret") {
					for _, x := range vals {
						add(x)
					}
				}
			}
		}
	}
	return out
}

// ScrubValuesFromEnv is ScrubValues over the process environment.
func ScrubValuesFromEnv() []string { return ScrubValues(os.Getenv) }
