package launch

// Provider clients of the Infrastructure, Security and Rollback checks: clients
// built from the target's configuration, each bounded by HUSTLEXP_HTTP_TIMEOUT.

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/cloudflare"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/tlscheck"
)

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func httpTimeout(env *target.Env) time.Duration { return env.Cfg.Duration(config.HTTPTimeout) }

// cloudflareVars are what the Cloudflare-backed checks need.
var cloudflareVars = []string{config.CloudflareAPIToken, config.CloudflareZone, config.CloudflareAPIURL}

// railwayVars are the variables every Railway-backed check needs; the
// token is either of two (railwayClient).
var railwayVars = []string{config.RailwayProjectID, config.RailwayAPIURL, railwayEitherToken}

// railwayEitherToken stands for "RAILWAY_TOKEN or RAILWAY_API_TOKEN" in need().
var railwayEitherToken = check.AnyOf(config.RailwayToken, config.RailwayAPIToken)

// railwayClient builds the Railway client from RAILWAY_TOKEN (a project
// token, sent as Project-Access-Token) or else RAILWAY_API_TOKEN (an account
// or team token, sent as a bearer); neither set is missing configuration.
func railwayClient(t check.T, env *target.Env) *railway.Client {
	t.Helper()
	c, ok := railway.ForTokens(env.Cfg.Get(config.RailwayAPIURL), env.Cfg.Get(config.RailwayToken), env.Cfg.Get(config.RailwayAPIToken), httpTimeout(env))
	if !ok {
		check.NotConfigured(t, env.Cfg, fmt.Sprintf("%s (a project token, preferred) or %s (an account/team token) not set", config.RailwayToken, config.RailwayAPIToken))
	}
	return c
}

// railwayTokenSet reports whether either Railway token is configured.
func railwayTokenSet(env *target.Env) bool {
	return env.Cfg.Get(config.RailwayToken) != "" || env.Cfg.Get(config.RailwayAPIToken) != ""
}

// railwayTokenName names the token variable in use.
func railwayTokenName(env *target.Env) string {
	if env.Cfg.Get(config.RailwayToken) == "" && env.Cfg.Get(config.RailwayAPIToken) != "" {
		return config.RailwayAPIToken
	}
	return config.RailwayToken
}

// hostVars are what the API host needs: HUSTLEXP_API_HOST or the base URL.
func hostVars(env *target.Env) []string {
	if env.Cfg.Get(config.APIHost) != "" {
		return nil
	}
	return []string{config.BaseURL}
}

// need lists every missing variable of a check at once; "A|B" is
// satisfied by either.
func need(t check.T, env *target.Env, groups ...[]string) {
	t.Helper()
	var all, either []string
	for _, g := range groups {
		for _, n := range g {
			if strings.Contains(n, "|") {
				either = append(either, n)
			} else {
				all = append(all, n)
			}
		}
	}
	missing := env.Cfg.Missing(all...)
	for _, e := range either {
		alts := strings.Split(e, "|")
		if len(env.Cfg.Missing(alts...)) == len(alts) {
			missing = append(missing, strings.Join(alts, " or "))
		}
	}
	if len(missing) > 0 {
		check.NotConfigured(t, env.Cfg, strings.Join(missing, ", ")+" not set")
	}
}

// railwayTarget resolves the production environment and API service.
func railwayTarget(t check.T, ctx context.Context, env *target.Env) (*railway.Client, *railway.Target) {
	t.Helper()
	need(t, env, railwayVars)
	rc := railwayClient(t, env)
	tgt, err := rc.Resolve(ctx, env.Cfg.Get(config.RailwayProjectID), env.Cfg.Get(config.RailwayEnvironment), env.Cfg.Get(config.RailwayService))
	if err != nil {
		if railway.IsUnauthorized(err) {
			t.Fatalf("%v (%s rejected: set a valid Railway token with access to project %s)", err, railwayTokenName(env), env.Cfg.Get(config.RailwayProjectID))
		}
		t.Fatalf("%v", err)
	}
	return rc, tgt
}

// railwayVariables fetches the production variables of the API service.
// The values are secrets: callers print names only.
func railwayVariables(t check.T, ctx context.Context, env *target.Env) map[string]string {
	t.Helper()
	vars, _ := railwayVariablesSealed(t, ctx, env)
	return vars
}

// railwayVariablesSealed also returns the names of sealed variables, whose
// values Railway never returns (nil if the API would not say).
func railwayVariablesSealed(t check.T, ctx context.Context, env *target.Env) (map[string]string, map[string]bool) {
	t.Helper()
	rc, tgt := railwayTarget(t, ctx, env)
	vars, sealed, sealedErr, err := rc.VariablesSealed(ctx, tgt.Project.ID, tgt.Environment.ID, tgt.Service.ID)
	if err != nil {
		t.Fatalf("read variables of %s in %s: %v", tgt.Service.Name, tgt.Environment.Name, err)
	}
	if sealedErr != nil {
		t.Logf("sealed flags unavailable (%v): only null or masked values count as sealed", sealedErr)
	}
	return vars, sealed
}

// apiHost is the public host of the API (HUSTLEXP_API_HOST, else the base URL's host).
func apiHost(env *target.Env) string {
	if h := env.Cfg.Get(config.APIHost); h != "" {
		return h
	}
	u, err := url.Parse(env.Cfg.Get(config.BaseURL))
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func needAPIHost(t check.T, env *target.Env) string {
	t.Helper()
	h := apiHost(env)
	if h == "" {
		check.NotConfigured(t, env.Cfg, fmt.Sprintf("%s (or %s) not set", config.APIHost, config.BaseURL))
	}
	if ip := net.ParseIP(h); ip != nil {
		t.Fatalf("API host is the IP address %s: a custom domain is required (%s / %s)", h, config.APIHost, config.BaseURL)
	}
	return h
}

// tlsTarget describes the API host for TLS checks.
func tlsTarget(env *target.Env, host string) tlscheck.Target {
	return tlscheck.Target{Host: host, DialAddr: env.Cfg.Get(config.APIDialAddr), CAFile: env.Cfg.Get(config.TLSCAFile), Timeout: httpTimeout(env)}
}

// cloudflareZone builds the SDK client and finds the zone.
func cloudflareZone(t check.T, ctx context.Context, env *target.Env) (*cloudflare.Client, string) {
	t.Helper()
	check.Need(t, env.Cfg, cloudflareVars...)
	c := cloudflare.New(env.Cfg.Get(config.CloudflareAPIURL), env.Cfg.Get(config.CloudflareAPIToken), httpTimeout(env))
	zid, err := c.ZoneID(ctx, env.Cfg.Get(config.CloudflareZone))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c, zid
}

// redisTLSOptions parses a Redis URL and trusts the extra CA bundle for rediss://.
func redisTLSOptions(env *target.Env, raw string) (*redis.Options, error) {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("parse Redis URL: %v", redactURLErr(err))
	}
	if opt.TLSConfig != nil {
		roots, err := tlsTarget(env, "").Roots()
		if err != nil {
			return nil, err
		}
		opt.TLSConfig.RootCAs = roots
		opt.TLSConfig.MinVersion = tls.VersionTLS12
	}
	t := httpTimeout(env)
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = t, t, t
	opt.MaxRetries = 0
	return opt, nil
}

func redactURLErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, "://"); i >= 0 {
		return "invalid URL"
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
