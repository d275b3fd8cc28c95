package launch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/cloudflare"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/dnscheck"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/tlscheck"
	"github.com/hustlexp/launchcheck/internal/upstash"
)

// RailwayProductionConfigured checks INF-1: Railway production environment
// configured — the project has the production environment, the API service's
// latest deployment there is SUCCESS, and its commit is the build.revision
// that /health reports (trusted build of the expected service).
func RailwayProductionConfigured(t check.T, env *target.Env) {
	t.Helper()
	identityFirst(t, env, "INF-1")
	need(t, env, []string{config.BaseURL}, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	rc, tgt := railwayTarget(t, ctx, env)
	dep, err := rc.Latest(ctx, tgt)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "railway_deployment", fmt.Sprintf("%s %s %s (%s)", tgt.Environment.Name, tgt.Service.Name, dep.Status, dep.CreatedAt.UTC().Format(time.RFC3339)))
	if dep.Status != "SUCCESS" {
		t.Fatalf("latest Railway deployment %s of %s in %s is %s, want SUCCESS (redeploy or roll back in Railway)", dep.ID, tgt.Service.Name, tgt.Environment.Name, dep.Status)
	}
	commit := strings.ToLower(dep.CommitHash())
	if !hex40.MatchString(commit) {
		t.Fatalf("latest Railway deployment %s has meta.commitHash %q, want a 40-hex git SHA (deploy from the GitHub repo, not a local upload)", dep.ID, commit)
	}
	h, resp, err := hxapi.New(env).Health(ctx)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if resp.Status != http.StatusOK || h.Status != "healthy" {
		t.Fatalf("GET /health = %d status %q, want 200 healthy: %s", resp.Status, h.Status, resp.Excerpt())
	}
	if h.Build == nil {
		t.Fatalf("GET /health has no build object (older deployment?): cannot tie the running build to Railway's deployment %s", dep.ID)
	}
	b := h.Build
	check.Evidence(t, "health_build", fmt.Sprintf("service=%s revision=%s clean_source=%v source=%s", b.Service, b.Revision, b.CleanSource != nil && *b.CleanSource, b.Source))
	var problems []string
	if want := env.Cfg.Get(config.BuildService); b.Service != want {
		problems = append(problems, fmt.Sprintf("build.service = %q, want %q", b.Service, want))
	}
	if !hex40.MatchString(b.Revision) {
		problems = append(problems, fmt.Sprintf("build.revision = %q, want a 40-hex SHA", b.Revision))
	}
	if b.CleanSource == nil || !*b.CleanSource {
		problems = append(problems, "build.clean_source is not true (built from a dirty tree)")
	}
	if b.Revision != commit {
		problems = append(problems, fmt.Sprintf("revision mismatch: /health build.revision = %s, Railway deployed commit = %s (the service answering is not the latest deployment)", b.Revision, commit))
	}
	if len(problems) > 0 {
		t.Fatalf("INF-1 %s", strings.Join(problems, "; "))
	}
}

// NeonProvisioned checks INF-2: Neon PostgreSQL production database
// provisioned — the Neon project, its production branch and a compute endpoint
// exist; HUSTLEXP_DATABASE_URL connects over TLS (observed on the connection,
// not assumed from sslmode) to a host of that project.
func NeonProvisioned(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.NeonAPIKey, config.NeonProjectID, config.NeonAPIURL, config.DatabaseURL)
	ctx := check.Ctx(t, env.Cfg)
	nc := &neon.Client{BaseURL: env.Cfg.Get(config.NeonAPIURL), APIKey: env.Cfg.Get(config.NeonAPIKey), Timeout: httpTimeout(env), HTTP: &http.Client{}}
	pid := env.Cfg.Get(config.NeonProjectID)
	p, err := nc.Project(ctx, pid)
	if err != nil {
		t.Fatalf("Neon project %s: %v", pid, err)
	}
	branches, err := nc.Branches(ctx, pid)
	if err != nil {
		t.Fatalf("Neon branches of %s: %v", pid, err)
	}
	want := env.Cfg.Get(config.NeonBranch)
	br, ok := neon.FindBranch(branches, want)
	if !ok {
		var names []string
		for _, b := range branches {
			names = append(names, b.Name)
		}
		t.Fatalf("Neon project %s has no branch %q (branches: %s); set %s", p.Name, want, strings.Join(names, ", "), config.NeonBranch)
	}
	eps, err := nc.Endpoints(ctx, pid)
	if err != nil {
		t.Fatalf("Neon endpoints of %s: %v", pid, err)
	}
	var hosts []string
	for _, e := range eps {
		if e.BranchID == br.ID && !e.Disabled {
			hosts = append(hosts, e.Host)
		}
	}
	if len(hosts) == 0 {
		t.Fatalf("Neon branch %s (%s) has no enabled compute endpoint: create one in the Neon console", br.Name, br.ID)
	}
	check.Evidence(t, "neon", fmt.Sprintf("project=%s branch=%s endpoints=%s", p.Name, br.Name, strings.Join(hosts, ",")))
	dsn := env.Cfg.Get(config.DatabaseURL)
	host := dsnHost(dsn)
	if !hostInNeon(host, hosts) {
		t.Fatalf("%s host %s is not a compute endpoint of Neon branch %s (endpoints: %s): the app points at another database", config.DatabaseURL, host, br.Name, strings.Join(hosts, ", "))
	}
	state, ver, rtt, err := pgTLS(ctx, dsn, env.Cfg.Duration(config.StatementTimeout))
	if err != nil {
		t.Fatalf("connect with %s (%s): %v", config.DatabaseURL, host, err)
	}
	if state == nil {
		t.Fatalf("connection to %s did not negotiate TLS (plain TCP): the server accepted an unencrypted connection; require sslmode=require/verify-full and a TLS-only endpoint", host)
	}
	check.Evidence(t, "db_tls", fmt.Sprintf("%s %s, SELECT 1 in %s", tlscheck.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite), ms(rtt)))
	check.Evidence(t, "db_server_version", ver)
}

// dsnHost is the host a Postgres URL connects to: the URL's host, else its
// host= parameter. config.Load has validated the URL (KindDSN: it parses,
// postgres:// scheme, a host in one of those two places).
func dsnHost(dsn string) string {
	u, _ := url.Parse(dsn)
	if u == nil {
		return ""
	}
	if h := u.Hostname(); h != "" {
		return h
	}
	return u.Query().Get("host")
}

// hostInNeon reports whether host is one of the endpoint hosts, allowing the
// pooled form (ep-x-pooler.region… for endpoint ep-x.region…).
func hostInNeon(host string, endpoints []string) bool {
	h := strings.ToLower(host)
	if first, rest, ok := strings.Cut(h, "."); ok && strings.HasSuffix(first, "-pooler") {
		h = strings.TrimSuffix(first, "-pooler") + "." + rest
	}
	for _, e := range endpoints {
		if strings.EqualFold(e, h) || strings.EqualFold(e, host) {
			return true
		}
	}
	return false
}

// pgTLS connects with dsn and returns the TLS state of the connection (nil if plain).
func pgTLS(ctx context.Context, dsn string, stmt time.Duration) (*tls.ConnectionState, string, time.Duration, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, "", 0, errors.New("cannot parse the DSN")
	}
	cfg.ConnectTimeout = stmt + 5*time.Second
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, "", 0, err
	}
	defer conn.Close(context.Background())
	var state *tls.ConnectionState
	if tc, ok := conn.PgConn().Conn().(*tls.Conn); ok {
		s := tc.ConnectionState()
		state = &s
	}
	start := time.Now()
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return state, "", 0, err
	}
	rtt := time.Since(start)
	return state, conn.PgConn().ParameterStatus("server_version"), rtt, nil
}

// UpstashProvisioned checks INF-3: Upstash Redis production instance
// provisioned — both paths the backend uses answer: the REST API (PING →
// PONG) and TCP over TLS (go-redis PING), with their round-trip latencies.
// The URLs pinged are the operator's; each must name the host the
// deployment's Railway variable of the same name names, or the suite would
// judge another instance (a sealed variable → unverified).
func UpstashProvisioned(t check.T, env *target.Env) {
	t.Helper()
	redisURL, redisVar := env.Cfg.Get(config.UpstashRedisURL), config.UpstashRedisURL
	if redisURL == "" {
		redisURL, redisVar = env.Cfg.Get(config.RedisURL), config.RedisURL
	}
	names := []string{config.UpstashRESTURL, config.UpstashRESTToken}
	if redisURL == "" {
		names = append(names, config.UpstashRedisURL)
	}
	need(t, env, names, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	problems := upstashDeploymentHosts(t, ctx, env, redisVar, redisURL)
	problems = append(problems, upstashRESTProblems(t, ctx, env)...)
	problems = append(problems, upstashTCPProblems(t, ctx, env, redisURL)...)
	if len(problems) > 0 {
		t.Fatalf("INF-3 %s", strings.Join(problems, "; "))
	}
}

// upstashDeploymentHosts ties the operator's Redis URLs to the deployment:
// the backend reads UPSTASH_REDIS_REST_URL (else REDIS_URL) for REST and
// UPSTASH_REDIS_URL (else REDIS_URL) for the queues' TCP connection; the
// host each names in Railway must be the host the suite pings. Only hosts
// are printed.
func upstashDeploymentHosts(t check.T, ctx context.Context, env *target.Env, redisVar, redisURL string) []string {
	t.Helper()
	vars, sealed := railwayVariablesSealed(t, ctx, env)
	var problems []string
	for _, p := range []struct {
		opVar, opURL string
		deployed     []string
	}{
		{config.UpstashRESTURL, env.Cfg.Get(config.UpstashRESTURL), []string{"UPSTASH_REDIS_REST_URL", "REDIS_URL"}},
		{redisVar, redisURL, []string{"UPSTASH_REDIS_URL", "REDIS_URL"}},
	} {
		name, val := "", ""
		for _, n := range p.deployed {
			if sealed[n] {
				check.Unverified(t, "%s is sealed in Railway: the Redis host the deployment uses cannot be read, so %s cannot be tied to it (unseal it)", n, p.opVar)
			}
			if v := strings.TrimSpace(vars[n]); v != "" {
				name, val = n, v
				break
			}
		}
		if name == "" {
			problems = append(problems, fmt.Sprintf("the deployment sets none of %s in Railway: the backend has no Redis there", strings.Join(p.deployed, ", ")))
			continue
		}
		opHost, depHost := urlHost(p.opURL), urlHost(val)
		check.Evidence(t, "deployment_"+strings.ToLower(name)+"_host", depHost)
		if !strings.EqualFold(opHost, depHost) {
			problems = append(problems, fmt.Sprintf("%s names host %s but the deployment's %s (Railway) names %s: the suite would judge another Redis than the one production uses", p.opVar, opHost, name, depHost))
		}
	}
	return problems
}

// urlHost is the host of a URL ("" when it does not parse).
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// upstashRESTProblems PINGs the Upstash REST API.
func upstashRESTProblems(t check.T, ctx context.Context, env *target.Env) []string {
	t.Helper()
	rest := upstash.New(env.Cfg.Get(config.UpstashRESTURL), env.Cfg.Get(config.UpstashRESTToken), httpTimeout(env))
	start := time.Now()
	res, err := rest.Do(ctx, "PING")
	restRTT := time.Since(start)
	switch {
	case err != nil:
		return []string{err.Error()}
	case fmt.Sprint(res) != "PONG":
		return []string{fmt.Sprintf("upstash REST PING = %v, want PONG", res)}
	}
	check.Evidence(t, "redis_rest_rtt", ms(restRTT))
	return nil
}

// upstashTCPProblems requires TLS on the Redis TCP URL (when configured
// to) and PINGs it.
func upstashTCPProblems(t check.T, ctx context.Context, env *target.Env, redisURL string) []string {
	t.Helper()
	var problems []string
	u, _ := url.Parse(redisURL)
	if env.Cfg.Bool(config.RequireRedisTLS) && (u == nil || u.Scheme != "rediss") {
		problems = append(problems, fmt.Sprintf("Redis TCP URL (%s) uses %s://, want rediss:// (TLS)", config.UpstashRedisURL, u.Scheme))
	}
	opt, err := redisTLSOptions(env, redisURL)
	if err != nil {
		return append(problems, err.Error())
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	start := time.Now()
	pong, err := rdb.Ping(ctx).Result()
	tcpRTT := time.Since(start)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("Redis TCP PING %s: %v", opt.Addr, err))
	case pong != "PONG":
		problems = append(problems, fmt.Sprintf("Redis TCP PING %s = %q, want PONG", opt.Addr, pong))
	default:
		check.Evidence(t, "redis_tcp_rtt", fmt.Sprintf("%s (tls=%v)", ms(tcpRTT), opt.TLSConfig != nil))
	}
	return problems
}

// CustomDomainTLS checks INF-4: Custom domain + SSL configured — the API
// host's certificate chain verifies for the host name, expires no sooner than
// HUSTLEXP_MIN_CERT_DAYS, TLS ≥ 1.2 is negotiated and older versions are
// refused, and responses carry Strict-Transport-Security with max-age ≥ 1 year.
func CustomDomainTLS(t check.T, env *target.Env) {
	t.Helper()
	host := needAPIHost(t, env)
	ctx := check.Ctx(t, env.Cfg)
	tt := tlsTarget(env, host)
	r, err := tlscheck.Handshake(ctx, tt, tls.VersionTLS10, 0)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "certificate", fmt.Sprintf("CN=%s issuer=%s SAN=%s notAfter=%s (%d days)", r.Subject, r.Issuer, strings.Join(r.DNSNames, ","), r.NotAfter.UTC().Format("2006-01-02"), r.DaysLeft))
	check.Evidence(t, "tls", fmt.Sprintf("%s %s", tlscheck.VersionName(r.Version), r.CipherName))
	var problems []string
	if r.VerifyErr != nil {
		kind := ""
		if len(r.Chain) == 1 && r.Chain[0].Subject.String() == r.Chain[0].Issuer.String() {
			kind = " (self-signed certificate)"
		}
		problems = append(problems, fmt.Sprintf("certificate chain does not verify for %s%s: %v", host, kind, r.VerifyErr))
	}
	if min := env.Cfg.Int(config.MinCertDays); r.DaysLeft < min {
		problems = append(problems, fmt.Sprintf("certificate expires in %d days (%s), want ≥ %d (%s): renew it", r.DaysLeft, r.NotAfter.UTC().Format("2006-01-02"), min, config.MinCertDays))
	}
	if r.Version < tls.VersionTLS12 {
		problems = append(problems, fmt.Sprintf("negotiated %s, want TLS 1.2 or newer", tlscheck.VersionName(r.Version)))
	}
	if old, err := tlscheck.Handshake(ctx, tt, tls.VersionTLS10, tls.VersionTLS11); err == nil {
		problems = append(problems, fmt.Sprintf("server accepts %s: set the minimum TLS version to 1.2 (Cloudflare min_tls_version)", tlscheck.VersionName(old.Version)))
	}
	if r.VerifyErr == nil {
		problems = append(problems, hstsProblems(ctx, env, tt)...)
	}
	if len(problems) > 0 {
		t.Fatalf("INF-4 %s", strings.Join(problems, "; "))
	}
}

func hstsProblems(ctx context.Context, env *target.Env, tt tlscheck.Target) []string {
	resp, err := edgeGet(ctx, tt, "/health")
	if err != nil {
		return []string{err.Error()}
	}
	v := resp.Header.Get("Strict-Transport-Security")
	if v == "" {
		return []string{fmt.Sprintf("GET https://%s/health has no Strict-Transport-Security header (the backend sends it in production mode)", tt.Host)}
	}
	age, ok := tlscheck.HSTSMaxAge(v)
	min := int64(env.Cfg.Int(config.MinHSTSMaxAge))
	if !ok || age < min {
		return []string{fmt.Sprintf("Strict-Transport-Security %q: max-age %d, want ≥ %d", v, age, min)}
	}
	return nil
}

// edgeGet GETs https://host/path through the verifying client.
func edgeGet(ctx context.Context, tt tlscheck.Target, path string) (*http.Response, error) {
	hc, err := tt.HTTPClient()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+tt.Host+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "launchcheck")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET https://%s%s: %v", tt.Host, path, err)
	}
	resp.Body.Close()
	return resp, nil
}

// CloudflareInFront checks INF-5: CDN (Cloudflare) in front of Railway — the
// API host's DNS record is proxied and points at the Railway service domain,
// the zone's SSL mode is full or strict, and live responses carry cf-ray and
// server: cloudflare.
func CloudflareInFront(t check.T, env *target.Env) {
	t.Helper()
	need(t, env, hostVars(env), cloudflareVars, railwayVars)
	host := needAPIHost(t, env)
	ctx := check.Ctx(t, env.Cfg)
	cf, zid := cloudflareZone(t, ctx, env)
	recs, err := cf.Records(ctx, zid, host)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if len(recs) == 0 {
		t.Fatalf("Cloudflare zone %s has no DNS record for %s", env.Cfg.Get(config.CloudflareZone), host)
	}
	rc, tgt := railwayTarget(t, ctx, env)
	doms, err := rc.Domains(ctx, tgt.Project.ID, tgt.Environment.ID, tgt.Service.ID)
	if err != nil {
		t.Fatalf("Railway domains of %s: %v", tgt.Service.Name, err)
	}
	var problems []string
	targets := append(append([]string(nil), doms.ServiceDomains...), doms.Targets[host]...)
	if !containsFold(doms.CustomDomains, host) {
		problems = append(problems, fmt.Sprintf("%s is not a custom domain of Railway service %s in %s (custom domains: %s): Railway will not route it", host, tgt.Service.Name, tgt.Environment.Name, strings.Join(doms.CustomDomains, ", ")))
	}
	for _, r := range recs {
		check.Evidence(t, "dns_record_"+strings.ToLower(r.Type), fmt.Sprintf("%s → %s proxied=%v", r.Name, r.Content, r.Proxied != nil && *r.Proxied))
		if r.Proxied == nil || !*r.Proxied {
			problems = append(problems, fmt.Sprintf("DNS record %s %s is not proxied (grey cloud): traffic bypasses Cloudflare", r.Type, r.Name))
		}
		switch r.Type {
		case "CNAME":
			if !containsFold(targets, strings.TrimSuffix(r.Content, ".")) {
				problems = append(problems, fmt.Sprintf("CNAME %s → %s, want the Railway domain of %s (%s)", r.Name, r.Content, tgt.Service.Name, strings.Join(targets, ", ")))
			}
		default:
			problems = append(problems, fmt.Sprintf("DNS record %s %s → %s: want a CNAME to the Railway domain (%s)", r.Type, r.Name, r.Content, strings.Join(targets, ", ")))
		}
	}
	ssl, err := cf.Setting(ctx, zid, "ssl")
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		check.Evidence(t, "zone_ssl", ssl)
		if ssl != "full" && ssl != "strict" {
			problems = append(problems, fmt.Sprintf("zone SSL mode is %q, want full or strict (Full (strict) recommended)", ssl))
		}
	}
	resp, err := edgeGet(ctx, tlsTarget(env, host), "/health")
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		ray, server := resp.Header.Get("cf-ray"), resp.Header.Get("Server")
		check.Evidence(t, "edge_headers", fmt.Sprintf("cf-ray=%q server=%q", ray, server))
		if ray == "" || !strings.EqualFold(server, "cloudflare") {
			problems = append(problems, fmt.Sprintf("GET https://%s/health: cf-ray=%q server=%q, want a cf-ray and server: cloudflare (the response did not pass through Cloudflare)", host, ray, server))
		}
	}
	if len(problems) > 0 {
		t.Fatalf("INF-5 %s", strings.Join(problems, "; "))
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// DNSPropagated checks INF-6: DNS propagation verified — every resolver in
// HUSTLEXP_DNS_RESOLVERS answers for the API host and agrees with Cloudflare
// (a proxied record resolves to Cloudflare edge addresses, a DNS-only record
// to its content), waiting up to HUSTLEXP_DNS_DEADLINE.
func DNSPropagated(t check.T, env *target.Env) {
	t.Helper()
	need(t, env, hostVars(env), cloudflareVars)
	host := needAPIHost(t, env)
	resolvers := env.Cfg.List(config.DNSResolvers)
	if len(resolvers) < 2 {
		t.Fatalf("%s lists %d resolver(s), want at least 2 to judge propagation", config.DNSResolvers, len(resolvers))
	}
	// The check may wait HUSTLEXP_DNS_DEADLINE for propagation: its context
	// is the check timeout plus that wait, so a deadline longer than
	// HUSTLEXP_CHECK_TIMEOUT is honoured, not cut short.
	deadline := env.Cfg.Duration(config.DNSDeadline)
	ctx := check.CtxPlus(t, env.Cfg, config.DNSDeadline, deadline)
	want := cloudflareAnswer(t, ctx, env, host)
	last, err := pollResolvers(ctx, env, host, resolvers, want, deadline)
	for _, a := range last {
		v := strings.Join(a.IPStrings(), ",")
		if a.Err != nil {
			v = "error: " + a.Rcode
		}
		check.Evidence(t, "dns_"+a.Resolver, v)
	}
	if err != nil {
		t.Fatalf("INF-6 %s not propagated within %s (%s): %v", host, deadline, config.DNSDeadline, err)
	}
}

// dnsWant is what a resolver must answer for the host: Cloudflare's records
// and, for a proxied record, the edge ranges its addresses must fall in.
type dnsWant struct {
	recs    []cloudflare.Record
	proxied bool
	edge    []*net.IPNet
}

// cloudflareAnswer reads the host's records from Cloudflare (and the edge
// ranges when the record is proxied): the answer every resolver must agree with.
func cloudflareAnswer(t check.T, ctx context.Context, env *target.Env, host string) dnsWant {
	t.Helper()
	cf, zid := cloudflareZone(t, ctx, env)
	recs, err := cf.Records(ctx, zid, host)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if len(recs) == 0 {
		t.Fatalf("Cloudflare has no DNS record for %s: nothing can propagate", host)
	}
	w := dnsWant{recs: recs, proxied: recs[0].Proxied != nil && *recs[0].Proxied}
	if w.proxied {
		if w.edge, err = cf.EdgeRanges(ctx); err != nil {
			t.Fatalf("%v", err)
		}
	}
	return w
}

// pollResolvers asks every resolver until all agree with want or the
// deadline passes; it returns the last round of answers and, on a timeout,
// why each disagreeing resolver did.
func pollResolvers(ctx context.Context, env *target.Env, host string, resolvers []string, want dnsWant, deadline time.Duration) ([]dnscheck.Answer, error) {
	qTimeout := min(httpTimeout(env), 3*time.Second)
	var last []dnscheck.Answer
	err := check.PollFor(ctx, config.DNSDeadline, deadline, func(ctx context.Context) error {
		last = last[:0]
		var bad []string
		for _, r := range resolvers {
			if !strings.Contains(r, ":") {
				r = net.JoinHostPort(r, "53")
			}
			a := dnscheck.Lookup(ctx, r, host, qTimeout)
			last = append(last, a)
			if a.Err != nil {
				bad = append(bad, a.Err.Error())
				continue
			}
			if why := disagrees(a, want.recs, want.proxied, want.edge); why != "" {
				bad = append(bad, fmt.Sprintf("resolver %s answered %s: %s", r, strings.Join(a.IPStrings(), ","), why))
			}
		}
		if len(bad) > 0 {
			return errors.New(strings.Join(bad, "; "))
		}
		return nil
	})
	return last, err
}

// disagrees explains why a resolver's answer does not match Cloudflare's record.
func disagrees(a dnscheck.Answer, recs []cloudflare.Record, proxied bool, edge []*net.IPNet) string {
	if proxied {
		for _, ip := range a.IPs {
			if !cloudflare.InRanges(ip, edge) {
				return fmt.Sprintf("%s is not a Cloudflare edge address, but the record is proxied (stale or hijacked answer)", ip)
			}
		}
		return ""
	}
	var want []string
	for _, r := range recs {
		switch r.Type {
		case "A", "AAAA":
			want = append(want, net.ParseIP(r.Content).String())
		case "CNAME":
			if containsFold(a.CNAMEs, strings.TrimSuffix(r.Content, ".")) {
				return ""
			}
			return fmt.Sprintf("no CNAME to %s in the answer", r.Content)
		}
	}
	sort.Strings(want)
	if got := a.IPStrings(); strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Sprintf("Cloudflare's record says %s", strings.Join(want, ","))
	}
	return ""
}
