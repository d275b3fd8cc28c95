package launch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// PlatformWebhookEvents and ConnectWebhookEvents are the event types the
// backend handles per destination (contract §11.1).
var (
	PlatformWebhookEvents = []string{
		"charge.dispute.closed", "charge.dispute.created", "charge.dispute.updated", "charge.refunded",
		"checkout.session.completed", "customer.subscription.created", "customer.subscription.deleted",
		"customer.subscription.updated", "invoice.paid", "invoice.payment_failed",
		"payment_intent.payment_failed", "payment_intent.succeeded", "transfer.created",
	}
	ConnectWebhookEvents = []string{"account.updated", "payout.canceled", "payout.created", "payout.failed", "payout.paid", "payout.updated"}
)

// RateLimitTier returns the contract's expected X-RateLimit-Limit for a path
// (§7.2, §7.5): a success shows the last limiter that ran — the public per-IP
// limiter (60) on /health*, the general tier (120) on /trpc, /api, /webhooks.
func RateLimitTier(path string) (int, string) {
	switch {
	case strings.HasPrefix(path, "/health"):
		return 60, "public per-IP (§7.2)"
	case strings.HasPrefix(path, "/trpc/"), strings.HasPrefix(path, "/api/"), strings.HasPrefix(path, "/webhooks/"):
		return 120, "general tier (§7.3)"
	case strings.HasPrefix(path, "/realtime/stream"):
		return 10, "sse tier (§7.3)"
	case strings.HasPrefix(path, "/privacy"), strings.HasPrefix(path, "/terms"), strings.HasPrefix(path, "/legal"):
		return 60, "public per-IP (§7.2)"
	}
	return 0, "no limiter documented for this path"
}

// placeholderHits returns, per variable NAME, the placeholder pattern its
// value matches. Values never leave this function.
func placeholderHits(vars map[string]string, patterns []string) map[string]string {
	out := map[string]string{}
	for name, val := range vars {
		low := strings.ToLower(val)
		for _, p := range patterns {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" && strings.Contains(low, p) {
				out[name] = p
				break
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Health-body exposure (SEC-8).
var (
	exposingKeys = map[string]string{
		"environment": "environment name", "env": "environment name", "nodeenv": "NODE_ENV", "node_env": "NODE_ENV",
		"hostname": "host name", "host": "host name", "hostName": "host name", "pid": "process id",
		"platform": "platform", "arch": "architecture", "versions": "dependency versions", "nodeversion": "Node.js version",
		"node_version": "Node.js version", "dependencies": "dependency versions", "stack": "stack trace",
		"stacktrace": "stack trace", "database_url": "database URL", "databaseurl": "database URL", "cwd": "working directory",
	}
	envNames      = map[string]bool{"production": true, "staging": true, "development": true, "test": true, "prod": true}
	envWordRe     = regexp.MustCompile(`(?i)(^|[^a-z0-9])(production|staging|development|prod|stage|dev)([^a-z0-9]|$)`)
	stackRe       = regexp.MustCompile(`\n\s+at \S|at .+\(.+:\d+:\d+\)|\.(ts|js):\d+:\d+`)
	dbErrRe       = regexp.MustCompile(`(?i)(ECONNREFUSED|ETIMEDOUT|ENOTFOUND|getaddrinfo|password authentication|relation "|SQLSTATE|syntax error at|terminating connection|too many clients|connect(ion)? (refused|timeout|terminated)|pg_hba|postgres(ql)?://|redis(s)?://)`)
	versionKeyRe  = regexp.MustCompile(`(?i)^(node|npm|express|hono|pg|ioredis|typescript|v8|openssl)$`)
	hostValueRe   = regexp.MustCompile(`(?i)^(ip-\d+-\d+-\d+-\d+|[a-z0-9-]+\.(internal|local|railway\.internal))$`)
	privateAddrRe = regexp.MustCompile(`\b(10\.\d+\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|192\.168\.\d+\.\d+):\d+\b`)
)

// HealthExposures is exposures, exported for the detector's unit test.
func HealthExposures(body []byte, allowed map[string]bool) (bad, allowedSeen []string, err error) {
	return exposures(body, allowed)
}

// exposures walks a JSON body and returns "path: why" for every field that
// reveals environment information, unless its path is in allowed.
func exposures(body []byte, allowed map[string]bool) ([]string, []string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, nil, err
	}
	var bad, allowedSeen []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				why := exposingKeys[strings.ToLower(k)]
				if why == "" {
					why = exposingKeys[k]
				}
				if why == "" && versionKeyRe.MatchString(k) {
					why = "dependency version"
				}
				if why != "" {
					if allowed[p] {
						allowedSeen = append(allowedSeen, p)
						continue
					}
					bad = append(bad, fmt.Sprintf("%s = %s (%s)", p, short(x[k]), why))
					continue
				}
				walk(p, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			why := ""
			switch {
			case envNames[strings.ToLower(x)], envWordRe.MatchString(x):
				why = "environment name"
			case stackRe.MatchString(x):
				why = "stack trace"
			case dbErrRe.MatchString(x):
				why = "raw database/network error"
			case hostValueRe.MatchString(x), privateAddrRe.MatchString(x):
				why = "internal host/address"
			}
			if why != "" {
				if allowed[path] {
					allowedSeen = append(allowedSeen, path)
					return
				}
				bad = append(bad, fmt.Sprintf("%s = %s (%s)", path, short(x), why))
			}
		}
	}
	walk("", v)
	return bad, allowedSeen, nil
}

// textExposures names what a body that is not JSON (a plain-text or HTML
// error page) reveals: a stack trace, a raw database/network error, an
// internal address. Environment words are not judged in free text (an
// error page's prose would match).
func textExposures(body []byte) []string {
	var out []string
	if strings.Contains(strings.ToLower(string(body)), "at ") && stackRe.Match(body) {
		out = append(out, "a stack trace")
	}
	if m := dbErrRe.Find(body); m != nil {
		out = append(out, fmt.Sprintf("a raw database/network error (%q)", m))
	}
	if m := privateAddrRe.Find(body); m != nil {
		out = append(out, fmt.Sprintf("an internal address (%s)", m))
	}
	return out
}

// HealthTextExposures is textExposures, exported for the detector's unit test.
func HealthTextExposures(body []byte) []string { return textExposures(body) }

func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
