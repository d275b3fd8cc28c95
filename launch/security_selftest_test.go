//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

const secTimeout = 30 * time.Second

// setRailwayVar sets (or, with del, deletes) a production variable in the
// Railway fake for the duration of the test.
func setRailwayVar(t *testing.T, rw *railwayfake.Fake, name, value string, del bool) {
	t.Helper()
	var prev string
	var had bool
	rw.Update(func(s *railwayfake.State) {
		m := s.Variables[railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID)]
		prev, had = m[name]
		if del {
			delete(m, name)
		} else {
			m[name] = value
		}
	})
	t.Cleanup(func() {
		rw.Update(func(s *railwayfake.State) {
			m := s.Variables[railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID)]
			if had {
				m[name] = prev
			} else {
				delete(m, name)
			}
		})
	})
}

// sealRailwayVar marks a production variable of the Railway fake sealed
// for the duration of the test.
func sealRailwayVar(t *testing.T, rw *railwayfake.Fake, name string) {
	t.Helper()
	key := func(s *railwayfake.State) string {
		return railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID)
	}
	rw.Update(func(s *railwayfake.State) {
		if s.Sealed == nil {
			s.Sealed = map[string]map[string]bool{}
		}
		if s.Sealed[key(s)] == nil {
			s.Sealed[key(s)] = map[string]bool{}
		}
		s.Sealed[key(s)][name] = true
	})
	t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { delete(s.Sealed[key(s)], name) }) })
}

// assertNoValue fails if any text the check produced contains secret.
func assertNoValue(t *testing.T, r checktest.Result, secret string) {
	t.Helper()
	all := r.Text() + "\n" + strings.Join(r.Logs, "\n")
	for k, v := range r.Attrs {
		all += "\n" + k + "=" + v
	}
	if strings.Contains(all, secret) {
		t.Fatalf("SEC-1 output contains a variable VALUE (canary %q): it must print names only", secret)
	}
}

func TestSelfSEC1NoPlaceholders(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) })
	// healthy output names variables but never shows a value
	for _, v := range harness.RehearsalRailwayVariables("") {
		if len(v) >= 8 && v != "production" {
			assertNoValue(t, r, v)
		}
	}

	t.Run("fault=placeholder value (canary never printed)", func(t *testing.T) {
		canary := "placeholder-CANARY-7f3e9a1c"
		setRailwayVar(t, rw, "R2_SECRET_ACCESS_KEY", canary, false)
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "R2_SECRET_ACCESS_KEY", "placeholder")
		assertNoValue(t, r, "CANARY-7f3e9a1c")
	})
	t.Run("fault=sk_test_ key in production", func(t *testing.T) {
		setRailwayVar(t, rw, "STRIPE_SECRET_KEY", "sk_test_51CanaryQ9w8e7r6t5y4", false)
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "STRIPE_SECRET_KEY", "sk_test_")
		assertNoValue(t, r, "51CanaryQ9w8e7r6t5y4")
	})
	t.Run("fault=required variable missing", func(t *testing.T) {
		setRailwayVar(t, rw, "TAX_TIN_ENCRYPTION_KEY", "", true)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "required variables missing: TAX_TIN_ENCRYPTION_KEY")
	})
	t.Run("fault=equal webhook secrets", func(t *testing.T) {
		setRailwayVar(t, rw, "STRIPE_CONNECT_WEBHOOK_SECRET", harness.RehearsalRailwayVariables("")["STRIPE_WEBHOOK_SECRET"], false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "are equal")
	})
	t.Run("fault=emulator variable in production", func(t *testing.T) {
		setRailwayVar(t, rw, "FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "FIREBASE_AUTH_EMULATOR_HOST is set")
	})
	t.Run("fallback name satisfies a requirement", func(t *testing.T) {
		setRailwayVar(t, rw, "UPSTASH_REDIS_URL", "", true)
		setRailwayVar(t, rw, "REDIS_URL", "rediss://default:r3dis-pw-0000@prod-cache-1234.upstash.io:6379", false)
		checktest.MustPass(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) })
	})
	seal := func(t *testing.T, names ...string) {
		rw.Update(func(s *railwayfake.State) {
			m := map[string]bool{}
			for _, n := range names {
				m[n] = true
			}
			s.Sealed = map[string]map[string]bool{railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID): m}
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Sealed = nil }) })
	}
	t.Run("sealed Firebase key attested by /health/detailed", func(t *testing.T) {
		seal(t, "FIREBASE_PRIVATE_KEY", "INTERNAL_API_KEY")
		r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) })
		if !strings.Contains(r.Attrs[check.AttrEvidence+"sealed_variables"], "FIREBASE_PRIVATE_KEY") ||
			r.Attrs[check.AttrEvidence+"sealed_attested"] != "FIREBASE_PRIVATE_KEY,INTERNAL_API_KEY" {
			t.Fatalf("evidence: %v", r.Attrs)
		}
	})
	t.Run("fault=sealed required secret nothing attests", func(t *testing.T) {
		seal(t, "TAX_TIN_ENCRYPTION_KEY")
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) },
			"sealed required variables whose value nothing attests", "TAX_TIN_ENCRYPTION_KEY: nothing outside the variable attests")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=sealed Stripe key Stripe does not call live", func(t *testing.T) {
		seal(t, "STRIPE_SECRET_KEY")
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "STRIPE_SECRET_KEY: ", "Stripe")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=sealed webhook secret while the suite's copy is not whsec_", func(t *testing.T) {
		seal(t, "STRIPE_WEBHOOK_SECRET")
		bad := env.MustWith(map[string]string{config.StripeWebhookSecret: "not-a-signing-secret"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, bad) }, "STRIPE_WEBHOOK_SECRET: the suite's STRIPE_WEBHOOK_SECRET is not a whsec_ secret")
	})
	t.Run("fault=NODE_ENV development", func(t *testing.T) {
		setRailwayVar(t, rw, "NODE_ENV", "development", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, `NODE_ENV is "development", want production`)
	})
	t.Run("fault=STRIPE_MODE test", func(t *testing.T) {
		setRailwayVar(t, rw, "STRIPE_MODE", "test", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, `STRIPE_MODE is "test", want live`)
	})
	t.Run("fault=webhook secret without whsec_", func(t *testing.T) {
		setRailwayVar(t, rw, "STRIPE_CONNECT_WEBHOOK_SECRET", "sec_0a1b2c3d4e5f60718293a4b5c6d7e8f9", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "STRIPE_CONNECT_WEBHOOK_SECRET does not start with whsec_")
	})
	t.Run("fault=Stripe key neither live nor test", func(t *testing.T) {
		setRailwayVar(t, rw, "STRIPE_SECRET_KEY", "pk_live_0a1b2c3d4e5f60718293a4b5", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "not a Stripe live secret key")
	})
	t.Run("fault=required variable empty", func(t *testing.T) {
		setRailwayVar(t, rw, "QUEUE_HMAC_SECRET", " ", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, "required variables empty: QUEUE_HMAC_SECRET")
	})
	t.Run("fault=detailed reports stripe placeholder", func(t *testing.T) {
		t.Cleanup(w.Standin.SetEnv("STRIPE_SECRET_KEY", "sk_live_placeholder"))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, env) }, `checks.stripe.status = "placeholder"`)
	})
}

func TestSelfSEC2ValidateConfig(t *testing.T) {
	w, env := harness.World(t)
	if env.Boot == nil {
		t.Fatal("the rehearsal target has no boot probe (target.Env.Boot)")
	}
	checktest.MustPass(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, env) })

	t.Run("fault=backend starts without a required variable", func(t *testing.T) {
		bad := *env
		bad.Boot = harness.BootProbe(w.World, true)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, &bad) }, "was NOT refused", "STRIPE_WEBHOOK_SECRET")
	})
	t.Run("fault=startup abort in deployment logs", func(t *testing.T) {
		rw := w.Railway
		var prev []railwayfake.LogLine
		rw.Update(func(s *railwayfake.State) {
			d := latestProd(s)
			prev, d.Logs = d.Logs, railwayfake.AbortLogs(time.Now(), "STRIPE_WEBHOOK_SECRET")
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { latestProd(s).Logs = prev }) })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, env) }, "logged a startup abort", "[FATAL]")
	})
	// The backend's layout: HUSTLEXP_REPO_DIR + the default entry
	// backend/src/server.ts, whose startServer() (serverStartup.ts) calls
	// validateConfig() (config.ts). A one-file scan of server.ts failed here.
	repo := func(t *testing.T, edit func(map[string]string)) *target.Env {
		root := t.TempDir()
		files := harness.RehearsalServerSources()
		if edit != nil {
			edit(files)
		}
		for rel, src := range files {
			p := filepath.Join(root, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, src)
		}
		return env.MustWith(map[string]string{config.ServerFile: "", config.RepoDir: root})
	}
	t.Run("real layout under HUSTLEXP_REPO_DIR with the default entry", func(t *testing.T) {
		r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, repo(t, nil)) })
		if ev := r.Attrs[check.AttrEvidence+"server_start"]; !strings.Contains(ev, "startServer() in backend/src/serverStartup.ts") {
			t.Errorf("evidence %q does not name the chain through serverStartup.ts", ev)
		}
	})
	t.Run("fault=validateConfig after listen in serverStartup.ts", func(t *testing.T) {
		bad := repo(t, func(f map[string]string) {
			s := strings.Replace(f["backend/src/serverStartup.ts"], "  validateConfig();\n", "", 1)
			f["backend/src/serverStartup.ts"] = strings.Replace(s, "  });\n}\n", "  });\n  validateConfig();\n}\n", 1)
		})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) },
			"starts listening before validateConfig()", "startServer() in backend/src/serverStartup.ts", "serve({")
	})
	t.Run("fault=validateConfig commented out in serverStartup.ts", func(t *testing.T) {
		bad := repo(t, func(f map[string]string) {
			f["backend/src/serverStartup.ts"] = strings.Replace(f["backend/src/serverStartup.ts"], "validateConfig();\n", "// validateConfig();\n", 1)
		})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) },
			"starts listening before validateConfig()", "serverStartup.ts:")
	})
	t.Run("fault=entry does not exist", func(t *testing.T) {
		bad := repo(t, nil).MustWith(map[string]string{config.ServerEntry: "src/server.ts"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) }, "read server start file", "src/server.ts")
	})
	t.Run("fault=neither call reachable", func(t *testing.T) {
		bad := repo(t, func(f map[string]string) { f["backend/src/server.ts"] = "import './app.js';\nexport {};\n" })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, bad) }, "unverified", "found neither validateConfig()")
	})
}

func TestSelfSEC3StripeWebhook(t *testing.T) {
	w, env := harness.World(t)
	sf := w.Stripe
	checktest.MustPass(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, env) })

	t.Run("fault=no Connect webhook endpoint", func(t *testing.T) {
		t.Cleanup(sf.DropConnectEndpoint())
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, env) }, "no enabled Connect webhook endpoint")
	})
	t.Run("fault=missing event type", func(t *testing.T) {
		t.Cleanup(sf.RemoveEventType(false, "transfer.created"))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, env) }, "missing event types transfer.created")
	})
	t.Run("fault=wrong API version pinned", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.StripeWebhookVersion: "2026-01-28.clover"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, bad) }, `want "2026-01-28.clover"`)
	})
	t.Run("fault=endpoint for another URL", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.BaseURL: "https://api.other.example"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, bad) }, "no enabled platform webhook endpoint at https://api.other.example/webhooks/stripe")
	})
}

func TestSelfSEC4FirebaseProduction(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	r := checktest.MustPass(t, 60*time.Second, func(ct check.T) { launch.FirebaseProductionMode(ct, env) })
	if r.Attrs[check.AttrEvidence+"user_me"] != "200" {
		t.Errorf("evidence user_me = %q, want 200", r.Attrs[check.AttrEvidence+"user_me"])
	}

	t.Run("fault=demo Firebase project", func(t *testing.T) {
		setRailwayVar(t, rw, "FIREBASE_PROJECT_ID", "demo-hustlexp", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.FirebaseProductionMode(ct, env) }, `demo project "demo-hustlexp"`)
	})
	t.Run("fault=localhost authorized", func(t *testing.T) {
		t.Cleanup(w.FirebaseConfig.SetDomains(append(harness.RehearsalAuthorizedDomains(), "localhost")...))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.FirebaseProductionMode(ct, env) }, `authorized domain "localhost"`)
	})
	t.Run("fault=emulator variable in production", func(t *testing.T) {
		setRailwayVar(t, rw, "FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.FirebaseProductionMode(ct, env) }, "FIREBASE_AUTH_EMULATOR_HOST is set")
	})
	t.Run("fault=deployment rejects the project's tokens", func(t *testing.T) {
		t.Cleanup(w.Standin.SetEnv("FIREBASE_PROJECT_ID", "hustlexp-other-project"))
		checktest.MustFail(t, 60*time.Second, func(ct check.T) { launch.FirebaseProductionMode(ct, env) }, "user.me", "want 200")
	})
}

func TestSelfSEC5SentryDSN(t *testing.T) {
	w, env := harness.World(t)
	sf := w.Sentry
	checktest.MustPass(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) })

	t.Run("fault=revoked Sentry key", func(t *testing.T) {
		sf.Update(func(s *sentryfake.State) { s.Keys[harness.RehearsalSentryProject][0].IsActive = false })
		t.Cleanup(func() {
			sf.Update(func(s *sentryfake.State) { s.Keys[harness.RehearsalSentryProject][0].IsActive = true })
		})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, "revoked", "isActive=false")
	})
	t.Run("fault=no production environment", func(t *testing.T) {
		var prev []*sentryfake.Environment
		sf.Update(func(s *sentryfake.State) {
			prev = s.Environments[harness.RehearsalSentryProject]
			s.Environments[harness.RehearsalSentryProject] = []*sentryfake.Environment{{ID: "2", Name: "staging"}}
		})
		t.Cleanup(func() { sf.Update(func(s *sentryfake.State) { s.Environments[harness.RehearsalSentryProject] = prev }) })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, `no environment "production"`)
	})
	t.Run("fault=DSN missing", func(t *testing.T) {
		setRailwayVar(t, w.Railway, "SENTRY_DSN", "", true)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, "SENTRY_DSN is not set")
	})
	t.Run("fault=DSN garbage", func(t *testing.T) {
		setRailwayVar(t, w.Railway, "SENTRY_DSN", "not a dsn", false)
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, "does not parse")
	})
	t.Run("fault=auth token revoked", func(t *testing.T) {
		sf.Update(func(s *sentryfake.State) { s.Unauthorized = true })
		t.Cleanup(func() { sf.Update(func(s *sentryfake.State) { s.Unauthorized = false }) })
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, "401", config.SentryAuthToken)
	})
}

// privateStandin starts a stand-in instance with its own Redis key prefix and
// limit, so SEC-6 self-tests never exhaust the shared instance's bucket.
func privateStandin(t *testing.T, limit int, faults standin.Faults) *target.Env {
	t.Helper()
	w, env := harness.World(t)
	s := harness.PrivateStandin(t, w, func(o *standin.Options) { o.PublicLimit, o.Replicas, o.Faults = limit, 1, faults })
	return env.MustWith(map[string]string{config.BaseURL: s.URL, config.ExpectedRateLimit: strconv.Itoa(limit)})
}

func TestSelfSEC6RateLimits(t *testing.T) {
	const limit = 25
	r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, privateStandin(t, limit, standin.Faults{})) })
	if !strings.Contains(r.Attrs[check.AttrEvidence+"burst"], "Retry-After=") {
		t.Errorf("evidence burst = %q", r.Attrs[check.AttrEvidence+"burst"])
	}

	t.Run("fault=no 429 after the limit", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{})
		// a front that turns the limiter's refusals into 200s: headers say 25, nothing is enforced
		u, _ := url.Parse(env.Cfg.Get(config.BaseURL))
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.ModifyResponse = func(r *http.Response) error {
			if r.StatusCode == http.StatusTooManyRequests {
				r.StatusCode, r.Status = http.StatusOK, "200 OK"
				r.Header.Del("Retry-After")
			}
			return nil
		}
		front := httptest.NewServer(rp)
		t.Cleanup(front.Close)
		bad := env.MustWith(map[string]string{config.BaseURL: front.URL})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, bad) }, "no 429 after the limit")
	})
	t.Run("fault=429 without Retry-After", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{})
		u, _ := url.Parse(env.Cfg.Get(config.BaseURL))
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.ModifyResponse = func(r *http.Response) error { r.Header.Del("Retry-After"); return nil }
		front := httptest.NewServer(rp)
		t.Cleanup(front.Close)
		bad := env.MustWith(map[string]string{config.BaseURL: front.URL})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, bad) }, "Retry-After \"\"")
	})
	t.Run("fault=no rate-limit headers", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{NoRateLimitHeaders: true})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, env) }, "without X-RateLimit-Limit")
	})
	t.Run("fault=limiter off", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{RateLimitOff: true})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, env) }, "X-RateLimit")
	})
	t.Run("fault=limit above the tier", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{RateLimit: 1000})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, env) }, "X-RateLimit-Limit = 1000, want 25")
	})
	t.Run("fault=bucket already exhausted at the start", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{})
		u := env.Cfg.Get(config.BaseURL) + env.Cfg.Get(config.RateLimitPath)
		for i := 0; i < 3*limit; i++ { // another burst from this runner within the window
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, env) }, "429 on the first request", "already exhausted")
	})
	t.Run("fault=no expected limit for the path", func(t *testing.T) {
		env := privateStandin(t, limit, standin.Faults{}).MustWith(map[string]string{config.RateLimitPath: "/no-tier", config.ExpectedRateLimit: "0"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RateLimitsVerified(ct, env) }, "no expected limit for /no-tier")
	})
	t.Run("contract tier table", func(t *testing.T) {
		for path, want := range map[string]int{"/health/liveness": 60, "/health": 60, "/trpc/health.ping": 120, "/realtime/stream": 10} {
			if got, _ := launch.RateLimitTier(path); got != want {
				t.Errorf("RateLimitTier(%s) = %d, want %d", path, got, want)
			}
		}
	})
}

func TestSelfSEC7CORS(t *testing.T) {
	w, env := harness.World(t)
	si := w.Standin
	checktest.MustPass(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) })

	t.Run("fault=CORS echoing a foreign origin", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.CORSMode = "echo" }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, "foreign origin https://evil.example.com")
	})
	t.Run("fault=wildcard", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.CORSMode = "wildcard" }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, "Access-Control-Allow-Origin: * (wildcard)")
	})
	t.Run("fault=development origins (not production mode)", func(t *testing.T) {
		t.Cleanup(si.SetEnv("NODE_ENV", "development"))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, "http://localhost:3000")
	})
	t.Run("fault=production origin not echoed", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.AllowedOrigins: "https://hustlexp.app,https://app.hustlexp.app"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, bad) }, "production origin https://app.hustlexp.app")
	})
	t.Run("fault=development CORS as captured from the real backend", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.CORSMode = "development" }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, env) }, `foreign origin http://localhost:3000: Access-Control-Allow-Origin = "http://localhost:3000"`)
	})
	t.Run("fault=http origin configured", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.AllowedOrigins: "https://hustlexp.app,http://hustlexp.app"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.CORSProductionOnly(ct, bad) }, `lists "http://hustlexp.app"`)
	})
}

func TestSelfSEC8HealthHidesEnv(t *testing.T) {
	w, env := harness.World(t)
	si := w.Standin
	r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) })
	if !strings.Contains(r.Attrs[check.AttrEvidence+"allowed_fields"], "none") {
		t.Errorf("evidence allowed_fields = %q, want the (empty by default) allow-list shown", r.Attrs[check.AttrEvidence+"allowed_fields"])
	}
	// the real backend's /health (captured) carries build.environment; with
	// the old default allow-list it passed — now it fails unless accepted
	t.Run("fault=build.environment in /health as the real backend sends it", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.BuildEnvInHealth = true }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) }, `GET /health = 200: build.environment = "production"`, "environment name")
		accepted := env.MustWith(map[string]string{config.HealthAllowedFields: "build.environment"})
		r := checktest.MustPass(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, accepted) })
		if !strings.Contains(r.Attrs[check.AttrEvidence+"allowed_fields_present"], "build.environment") {
			t.Errorf("accepted field not shown in the evidence: %v", r.Attrs)
		}
	})
	t.Run(`fault=environment name inside a value {"deployment":"production"}`, func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.EnvInValue = true }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) }, `deployment = "production"`, "environment name")
	})

	t.Run(`fault=/health body with "environment":"production"`, func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.ExposeEnv = true }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) }, `GET /health = 200: environment = "production"`, "hostname")
	})
	t.Run("fault=older shape with environment", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.HealthOldShape = true }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) }, "environment = ")
	})
	t.Run("fault=error form with the raw DB error (older shape, DB down)", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.HealthOldShape, f.DBDown = true, true }))
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, env) }, "GET /health = 503: error = ", "raw database/network error")
	})
	t.Run("fault=build.environment not allow-listed", func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.BuildEnvInHealth = true }))
		bad := env.MustWith(map[string]string{config.HealthAllowedFields: "build.source"})
		checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) }, "build.environment", "allow-list")
	})
}

// An environment name in any value is an exposure, whatever the key is called.
func TestSelfSEC8EnvironmentNameInAValue(t *testing.T) {
	_, env := harness.World(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"healthy","timestamp":"2026-11-29T23:57:19.479Z","deployment":"staging"}`)
	}))
	t.Cleanup(srv.Close)
	bad := env.MustWith(map[string]string{config.BaseURL: srv.URL})
	checktest.MustFail(t, secTimeout, func(ct check.T) { launch.HealthHidesEnvironment(ct, bad) }, "deployment", "staging")
}

func TestSelfSEC8ExposureDetector(t *testing.T) {
	body := []byte(`{"status":"unhealthy","error":"connect ECONNREFUSED 10.0.3.7:5432","build":{"environment":"production"},
		"details":{"stack":"Error: x\n    at Pool.connect (/app/node_modules/pg/lib/index.js:45:11)","versions":{"node":"20.11.0"}}}`)
	bad, seen, err := launch.HealthExposures(body, map[string]bool{"build.environment": true})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(bad, "\n")
	for _, want := range []string{"error = ", "raw database/network error", "details.stack", "details.versions"} {
		if !strings.Contains(joined, want) {
			t.Errorf("exposures miss %q:\n%s", want, joined)
		}
	}
	if len(seen) != 1 || seen[0] != "build.environment" {
		t.Errorf("allowed seen = %v", seen)
	}
	// an environment name inside a value, under an innocent key
	bad, _, _ = launch.HealthExposures([]byte(`{"deployment":"staging","node":"api-staging-2","mode":"enabled","status":"healthy"}`), nil)
	if j := strings.Join(bad, "\n"); !strings.Contains(j, `deployment = "staging" (environment name)`) || !strings.Contains(j, "api-staging-2") || strings.Contains(j, "enabled") {
		t.Errorf("environment names inside values: %q", j)
	}
	if _, _, err := launch.HealthExposures([]byte("<html>"), nil); err == nil {
		t.Error("garbage body: want an error")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSelfSEC3RequestShape sends SEC-3's webhook-endpoint list request to
// stripe-mock, which validates it against Stripe's OpenAPI spec: the check
// must get as far as judging the (canned) endpoints, never an HTTP 400.
func TestSelfSEC3RequestShape(t *testing.T) {
	_, env := harness.World(t)
	base := secStripeMock(t)
	mock := env.MustWith(map[string]string{config.StripeAPIBase: base, config.StripeSecretKey: "sk_test_123"})
	r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.StripeWebhookRegistered(ct, mock) }, "webhook endpoint at")
	if strings.Contains(r.Text(), "HTTP 4") {
		t.Fatalf("stripe-mock refused SEC-3's request: %s", r.Text())
	}
}

func secStripeMock(t *testing.T) string {
	t.Helper()
	return checktest.StripeMock(t, harness.Config(t).Get(config.StripeMockURL))
}
