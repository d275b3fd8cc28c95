//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/tlsfront"
	"github.com/hustlexp/launchcheck/fixtures/fakes/upstashfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

const infTimeout = 30 * time.Second

// latestProd returns the newest production deployment of the API service.
func latestProd(s *railwayfake.State) *railwayfake.Deployment {
	return s.Latest(s.Env("production").ID, s.Service("hustlexp-engine").ID)
}

func TestSelfINF1RailwayProduction(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	checktest.MustPass(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) })

	t.Run("fault=deployment FAILED", func(t *testing.T) {
		var prev string
		rw.Update(func(s *railwayfake.State) { d := latestProd(s); prev, d.Status = d.Status, railwayfake.StatusFailed })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { latestProd(s).Status = prev }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "is FAILED, want SUCCESS")
	})
	t.Run("fault=revision mismatch", func(t *testing.T) {
		restore := w.Standin.SetFaults(func(f *standin.Faults) { f.BuildRevision = strings.Repeat("0badc0de", 5) })
		t.Cleanup(restore)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "revision mismatch", "0badc0de")
	})
	t.Run("fault=no production environment", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RailwayEnvironment: "prod-eu"})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, bad) }, `no environment "prod-eu"`, "production")
	})
	t.Run("fault=revoked token", func(t *testing.T) {
		rw.Update(func(s *railwayfake.State) { s.Unauthorized = true })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Unauthorized = false }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "Not Authorized", config.RailwayToken)
	})
	t.Run("account token as RAILWAY_API_TOKEN (bearer)", func(t *testing.T) {
		var api string
		rw.View(func(s *railwayfake.State) { api = s.APIToken })
		acct := env.MustWith(map[string]string{config.RailwayToken: "", config.RailwayAPIToken: api})
		checktest.MustPass(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, acct) })
		// an account token put in RAILWAY_TOKEN goes out as Project-Access-Token: Railway refuses it
		wrong := env.MustWith(map[string]string{config.RailwayToken: api})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, wrong) }, "Not Authorized", config.RailwayToken)
	})
	t.Run("every document the checks sent is valid against Railway's schema", func(t *testing.T) {
		ok, why := rw.Validating()
		if !ok {
			t.Skipf("the Railway fake is not validating: %v", why)
		}
		checktest.MustPass(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) })
		if r := rw.Rejected(); len(r) > 0 {
			t.Fatalf("the Railway fake rejected documents the checks sent: %v", r)
		}
	})
	t.Run("fault=live run with neither Railway token", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.RailwayToken: "", config.RailwayAPIToken: ""})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, live) }, config.RailwayToken, config.RailwayAPIToken)
	})
	t.Run("fault=garbage body", func(t *testing.T) {
		rw.Update(func(s *railwayfake.State) { s.GarbageBody = true })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.GarbageBody = false }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "not GraphQL JSON")
	})
}

func TestSelfINF2NeonProvisioned(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, env) })

	t.Run("fault=server without TLS", func(t *testing.T) {
		t.Cleanup(w.PGProxy.SetNoTLS(true))
		// sslmode=prefer silently falls back to plain TCP: the check must notice.
		u, _ := url.Parse(env.Cfg.Get(config.DatabaseURL))
		q := u.Query()
		q.Set("sslmode", "prefer")
		u.RawQuery = q.Encode()
		bad := env.MustWith(map[string]string{config.DatabaseURL: u.String()})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, "did not negotiate TLS")
	})
	t.Run("fault=host outside the Neon project", func(t *testing.T) {
		u, _ := url.Parse(env.Cfg.Get(config.DatabaseURL))
		_, port, _ := net.SplitHostPort(u.Host)
		u.Host = net.JoinHostPort("localhost", port)
		bad := env.MustWith(map[string]string{config.DatabaseURL: u.String()})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, "is not a compute endpoint")
	})
	t.Run("fault=no production branch", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.NeonBranch: "main-prod"})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, `no branch "main-prod"`)
	})
	t.Run("fault=no compute endpoint", func(t *testing.T) {
		nf := w.Neon
		var saved []neonfake.Endpoint
		nf.Update(func(s *neonfake.State) { saved, s.Endpoints = s.Endpoints, nil })
		t.Cleanup(func() { nf.Update(func(s *neonfake.State) { s.Endpoints = saved }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, env) }, "no enabled compute endpoint")
	})
}

func TestSelfINF3UpstashProvisioned(t *testing.T) {
	w, env := harness.World(t)
	up := w.Upstash
	r := checktest.MustPass(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) })
	for _, k := range []string{"redis_rest_rtt", "redis_tcp_rtt"} {
		if r.Attrs[check.AttrEvidence+k] == "" {
			t.Errorf("evidence %s missing: %v", k, r.Attrs)
		}
	}
	t.Run("fault=REST PING wrong reply", func(t *testing.T) {
		up.Update(func(s *upstashfake.State) { s.WrongPong = true })
		t.Cleanup(func() { up.Update(func(s *upstashfake.State) { s.WrongPong = false }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) }, "PANG", "want PONG")
	})
	t.Run("fault=REST token revoked", func(t *testing.T) {
		up.Update(func(s *upstashfake.State) { s.Unauthorized = true })
		t.Cleanup(func() { up.Update(func(s *upstashfake.State) { s.Unauthorized = false }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) }, "401", config.UpstashRESTToken)
	})
	t.Run("fault=TCP without TLS", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.UpstashRedisURL: w.RedisURL})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, bad) }, "want rediss://")
	})
	t.Run("fault=TCP unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.UpstashRedisURL: "rediss://127.0.0.1:1"})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, bad) }, "Redis TCP PING 127.0.0.1:1")
	})
	// The suite's URLs are the operator's; the deployment's are Railway's.
	rw := w.Railway
	opHost := "127.0.0.1"
	t.Run("fault=Railway UPSTASH_REDIS_URL names another host", func(t *testing.T) {
		setRailwayVar(t, rw, "UPSTASH_REDIS_URL", "rediss://default:AX1yProdCacheToken@prod-cache-9999.upstash.io:6379", false)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) },
			config.UpstashRedisURL+" names host "+opHost+" but the deployment's UPSTASH_REDIS_URL (Railway) names prod-cache-9999.upstash.io")
	})
	t.Run("fault=Railway REDIS_URL fallback names another host", func(t *testing.T) {
		// Without UPSTASH_REDIS_REST_URL the backend's REST client falls back to REDIS_URL.
		setRailwayVar(t, rw, "UPSTASH_REDIS_REST_URL", "", true)
		setRailwayVar(t, rw, "REDIS_URL", "https://prod-cache-9999.upstash.io", false)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) },
			config.UpstashRESTURL+" names host "+opHost+" but the deployment's REDIS_URL (Railway) names prod-cache-9999.upstash.io")
	})
	t.Run("fault=no Redis in the deployment", func(t *testing.T) {
		setRailwayVar(t, rw, "UPSTASH_REDIS_REST_URL", "", true)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) },
			"the deployment sets none of UPSTASH_REDIS_REST_URL, REDIS_URL in Railway")
	})
	t.Run("fault=UPSTASH_REDIS_URL sealed", func(t *testing.T) {
		sealRailwayVar(t, rw, "UPSTASH_REDIS_URL")
		r := checktest.MustFail(t, infTimeout, func(ct check.T) { launch.UpstashProvisioned(ct, env) },
			"UPSTASH_REDIS_URL is sealed in Railway", "cannot be tied")
		if r.Status() != "unverified" {
			t.Errorf("sealed UPSTASH_REDIS_URL: status %s, want unverified", r.Status())
		}
	})
}

func TestSelfINF4CustomDomainTLS(t *testing.T) {
	w, env := harness.World(t)
	front := w.TLSFront
	r := checktest.MustPass(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) })
	if !strings.Contains(r.Attrs[check.AttrEvidence+"tls"], "TLS 1.3") {
		t.Errorf("evidence tls = %q, want TLS 1.3", r.Attrs[check.AttrEvidence+"tls"])
	}
	leaf := func(t *testing.T, o tlsfront.LeafOptions) {
		t.Helper()
		c, err := front.CA.Leaf(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(front.SetCert(c))
	}
	t.Run("fault=certificate expiring in 5 days", func(t *testing.T) {
		leaf(t, tlsfront.LeafOptions{Hosts: []string{front.Host}, ValidFor: 5*24*time.Hour + time.Hour})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "expires in 5 days", "want ≥ 21")
	})
	t.Run("fault=self-signed chain", func(t *testing.T) {
		leaf(t, tlsfront.LeafOptions{Hosts: []string{front.Host}, SelfSigned: true})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "does not verify", "self-signed")
	})
	t.Run("fault=certificate for another host", func(t *testing.T) {
		leaf(t, tlsfront.LeafOptions{Hosts: []string{"staging.rehearsal.hustlexp.test"}})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "does not verify", front.Host)
	})
	t.Run("fault=TLS 1.0 accepted", func(t *testing.T) {
		t.Cleanup(front.Update(func(s *tlsfront.State) { s.MinVersion = 0x0301 }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "server accepts TLS 1.")
	})
	t.Run("fault=no HSTS", func(t *testing.T) {
		t.Cleanup(front.Update(func(s *tlsfront.State) { s.StripHSTS = true }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "no Strict-Transport-Security")
	})
	t.Run("fault=HSTS max-age one day", func(t *testing.T) {
		t.Cleanup(front.Update(func(s *tlsfront.State) { s.SetHSTS = "max-age=86400" }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, env) }, "max-age 86400, want ≥ 31536000")
	})
	t.Run("fault=host unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.APIDialAddr: "127.0.0.1:1"})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CustomDomainTLS(ct, bad) }, "TLS handshake with "+front.Host)
	})
}

func TestSelfINF5CloudflareInFront(t *testing.T) {
	w, env := harness.World(t)
	cf := w.Cloudflare
	checktest.MustPass(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) })
	host := env.Cfg.Get(config.APIHost)

	t.Run("fault=record not proxied", func(t *testing.T) {
		cf.Update(func(s *cloudflarefake.State) { s.Record(host).Proxied = false })
		t.Cleanup(func() { cf.Update(func(s *cloudflarefake.State) { s.Record(host).Proxied = true }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "is not proxied")
	})
	t.Run("fault=record points elsewhere", func(t *testing.T) {
		var prev string
		cf.Update(func(s *cloudflarefake.State) {
			r := s.Record(host)
			prev, r.Content = r.Content, "old-app.herokuapp.com"
		})
		t.Cleanup(func() { cf.Update(func(s *cloudflarefake.State) { s.Record(host).Content = prev }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "old-app.herokuapp.com", "want the Railway domain")
	})
	t.Run("fault=SSL mode flexible", func(t *testing.T) {
		set := func(v string) {
			cf.Update(func(s *cloudflarefake.State) {
				for _, m := range s.Settings {
					m["ssl"] = v
				}
			})
		}
		set("flexible")
		t.Cleanup(func() { set("strict") })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, `SSL mode is "flexible"`)
	})
	t.Run("fault=response bypasses Cloudflare", func(t *testing.T) {
		t.Cleanup(w.TLSFront.Update(func(s *tlsfront.State) { s.NoCFHeaders = true }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "cf-ray", "did not pass through Cloudflare")
	})
	t.Run("fault=host not a Railway custom domain", func(t *testing.T) {
		rw := w.Railway
		var prev map[string][]string
		rw.Update(func(s *railwayfake.State) {
			sv := s.Service("hustlexp-engine")
			prev, sv.CustomDomains = sv.CustomDomains, map[string][]string{}
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Service("hustlexp-engine").CustomDomains = prev }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "is not a custom domain of Railway service")
	})
	t.Run("fault=token rejected", func(t *testing.T) {
		cf.Update(func(s *cloudflarefake.State) { s.Unauthorized = true })
		t.Cleanup(func() { cf.Update(func(s *cloudflarefake.State) { s.Unauthorized = false }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "Authentication error")
	})
}

func TestSelfINF6DNSPropagated(t *testing.T) {
	w, env := harness.World(t)
	dns := w.DNS
	host := env.Cfg.Get(config.APIHost)
	checktest.MustPass(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, env) })
	fast := env.MustWith(map[string]string{config.DNSDeadline: "1500ms"})

	t.Run("fault=one resolver disagreeing", func(t *testing.T) {
		t.Cleanup(dns.Resolvers[1].Set(host, net.ParseIP("203.0.113.9")))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, fast) }, dns.Resolvers[1].Addr, "203.0.113.9", "not a Cloudflare edge address",
			"deadline HUSTLEXP_DNS_DEADLINE=1.5s passed")
	})
	t.Run("DNS deadline longer than the check timeout is honoured", func(t *testing.T) {
		// Before, the wait hung off the check's 1s context and failed at 1s
		// blaming "deadline 3s"; the record propagates at 1.5s.
		long := env.MustWith(map[string]string{config.CheckTimeout: "1s", config.DNSDeadline: "3s"})
		restore := dns.Resolvers[1].Set(host, net.ParseIP("203.0.113.9"))
		t.Cleanup(restore)
		time.AfterFunc(1500*time.Millisecond, restore)
		checktest.MustPass(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, long) })
	})
	t.Run("fault=resolver silent", func(t *testing.T) {
		t.Cleanup(dns.Resolvers[2].Silence(true))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, fast) }, dns.Resolvers[2].Addr, "not propagated")
	})
	t.Run("fault=NXDOMAIN", func(t *testing.T) {
		t.Cleanup(dns.Resolvers[0].NXDomain(true))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, fast) }, "NXDOMAIN")
	})
	t.Run("propagation completes before the deadline", func(t *testing.T) {
		restore := dns.Resolvers[1].Set(host, net.ParseIP("203.0.113.9"))
		t.Cleanup(restore)
		time.AfterFunc(700*time.Millisecond, restore)
		checktest.MustPass(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, env) })
	})
}
