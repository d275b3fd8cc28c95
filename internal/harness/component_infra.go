package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/dnsfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/firebasefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/tlsfront"
	"github.com/hustlexp/launchcheck/fixtures/fakes/upstashfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// Rehearsal values of the infrastructure fakes (Railway, Sentry, Cloudflare).
const (
	RehearsalRailwayToken    = "rehearsal-railway-token"
	RehearsalSentryToken     = "rehearsal-sentry-token"
	RehearsalSentryOrg       = "hustlexp"
	RehearsalSentryProject   = "hustlexp-api"
	RehearsalCloudflareToken = "rehearsal-cloudflare-token"
	RehearsalZone            = "rehearsal.hustlexp.test"
	RehearsalAPIHost         = "api.rehearsal.hustlexp.test"
	RehearsalFirebaseProject = "hustlexp-rehearsal"
	RehearsalUpstashToken    = "rehearsal-upstash-rest-token"
	RehearsalResolvers       = 3
	// RehearsalRevision is used for the Railway deployment when the stand-in
	// does not report one.
	RehearsalRevision = "5f1c0de5a1b2c3d4e5f60718293a4b5c6d7e8f90"
)

func init() {
	Register(world.Component{Name: "sentry", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		f := sentryfake.New(sentryfake.Options{Token: RehearsalSentryToken, Org: RehearsalSentryOrg, Project: RehearsalSentryProject})
		w.OnClose(f.Close)
		partsOf(w).Sentry = f
		w.SetEnv(config.SentryAPIURL, f.URL)
		w.SetEnv(config.SentryAuthToken, RehearsalSentryToken)
		w.SetEnv(config.SentryOrg, RehearsalSentryOrg)
		w.SetEnv(config.SentryProject, RehearsalSentryProject)
		return nil
	}})
	Register(world.Component{Name: "railway", Order: 25, Start: func(ctx context.Context, w *world.World) error {
		sentryDSN := ""
		if s := partsOf(w).Sentry; s != nil {
			sentryDSN = s.DSN(RehearsalSentryProject)
		}
		f := railwayfake.New(railwayfake.Options{
			Token: RehearsalRailwayToken, Revision: standinRevision(ctx, w),
			Variables:    RehearsalRailwayVariables(sentryDSN),
			CustomDomain: RehearsalAPIHost,
		})
		w.OnClose(f.Close)
		partsOf(w).Railway = f
		var project string
		f.View(func(s *railwayfake.State) { project = s.ProjectID })
		w.SetEnv(config.RailwayAPIURL, f.URL)
		w.SetEnv(config.RailwayToken, RehearsalRailwayToken)
		w.SetEnv(config.RailwayProjectID, project)
		return nil
	}})
	Register(world.Component{Name: "cloudflare", Order: 26, Start: func(ctx context.Context, w *world.World) error {
		origin := "hustlexp-engine-production.up.railway.app"
		if r := partsOf(w).Railway; r != nil {
			r.View(func(s *railwayfake.State) {
				if sv := s.Service("hustlexp-engine"); sv != nil {
					if e := s.Env("production"); e != nil {
						origin = sv.ServiceDomains[e.ID]
					}
				}
			})
		}
		f := cloudflarefake.New(cloudflarefake.Options{Token: RehearsalCloudflareToken, Zone: RehearsalZone,
			Host: RehearsalAPIHost, Origin: origin, EdgeIPv4: []string{"127.0.0.0/8"}})
		w.OnClose(f.Close)
		partsOf(w).Cloudflare = f
		w.SetEnv(config.CloudflareAPIURL, f.APIURL())
		w.SetEnv(config.CloudflareAPIToken, RehearsalCloudflareToken)
		w.SetEnv(config.CloudflareZone, RehearsalZone)
		w.SetEnv(config.APIHost, RehearsalAPIHost)
		return nil
	}})
}

func init() {
	Register(world.Component{Name: "upstash", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		f, err := upstashfake.New(w.RedisURL, RehearsalUpstashToken)
		if err != nil {
			return err
		}
		w.OnClose(f.Close)
		partsOf(w).Upstash = f
		w.SetEnv(config.UpstashRESTURL, f.URL)
		w.SetEnv(config.UpstashRESTToken, RehearsalUpstashToken)
		return nil
	}})
	Register(world.Component{Name: "server-source", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		// The backend's start path as its repository lays it out.
		for rel, src := range RehearsalServerSources() {
			path := filepath.Join(w.Dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				return err
			}
		}
		w.SetEnv(config.ServerFile, filepath.Join(w.Dir, "backend", "src", "server.ts"))
		// The embedded backend files have no git: the world declares their
		// revision, the build the stand-in reports.
		w.SetEnv(config.RepoRevision, standin.Revision)
		return nil
	}})
	Register(world.Component{Name: "firebase-config", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		p := firebasefake.NewProjectConfig(RehearsalFirebaseProject, RehearsalAuthorizedDomains())
		w.OnClose(p.Close)
		partsOf(w).FirebaseConfig = p
		w.SetEnv(config.IdentityToolkitURL, p.URL)
		w.SetEnv(config.FirebaseExpected, RehearsalFirebaseProject)
		w.SetEnv(config.ProductionDomains, "hustlexp.app,www.hustlexp.app,"+RehearsalAPIHost)
		return nil
	}})
	// The edge: a local CA, an HTTPS front with Cloudflare's headers before the
	// stand-in, a TLS proxy before Redis, and DNS resolvers answering for the
	// API host with the front's address (inside the edge ranges the
	// Cloudflare fake publishes).
	Register(world.Component{Name: "edge", Order: 27, Start: func(ctx context.Context, w *world.World) error {
		base := w.Env()[config.BaseURL]
		if base == "" {
			return fmt.Errorf("edge: %s not set (the stand-in must start first)", config.BaseURL)
		}
		ca, err := tlsfront.NewCA("launchcheck rehearsal CA")
		if err != nil {
			return err
		}
		caFile := filepath.Join(w.Dir, "rehearsal-ca.pem")
		if err := ca.WriteFile(caFile); err != nil {
			return err
		}
		front, err := tlsfront.Start(ca, RehearsalAPIHost, base)
		if err != nil {
			return err
		}
		w.OnClose(front.Close)
		partsOf(w).TLSFront = front
		ru, err := url.Parse(w.RedisURL)
		if err != nil {
			return err
		}
		rp, err := tlsfront.StartTCP(ca, "redis."+RehearsalZone, ru.Host)
		if err != nil {
			return err
		}
		w.OnClose(rp.Close)
		// Postgres as Neon serves it: TLS only. The read-only DSN the checks
		// use goes through a TLS-terminating proxy (sslmode=require).
		if dsn := w.Env()[config.DatabaseURL]; dsn != "" {
			du, err := url.Parse(dsn)
			if err != nil {
				return err
			}
			pp, err := tlsfront.StartPG(ca, "db."+RehearsalZone, du.Host)
			if err != nil {
				return err
			}
			w.OnClose(pp.Close)
			partsOf(w).PGProxy = pp
			q := du.Query()
			q.Set("sslmode", "require")
			du.Host, du.RawQuery = pp.Addr, q.Encode()
			w.SetEnv(config.DatabaseURL, du.String())
		}
		tlsURL := *ru
		tlsURL.Scheme, tlsURL.Host = "rediss", rp.Addr
		host, _, _ := net.SplitHostPort(front.Addr)
		d, err := dnsfake.New(RehearsalResolvers, map[string][]net.IP{RehearsalAPIHost: {net.ParseIP(host)}})
		if err != nil {
			return err
		}
		w.OnClose(d.Close)
		partsOf(w).DNS = d
		w.SetEnv(config.APIHost, RehearsalAPIHost)
		w.SetEnv(config.APIDialAddr, front.Addr)
		w.SetEnv(config.TLSCAFile, caFile)
		w.SetEnv(config.UpstashRedisURL, tlsURL.String())
		deployRedis(w, tlsURL)
		w.SetEnv(config.DNSResolvers, strings.Join(d.Addrs(), ","))
		w.SetEnv(config.DNSDeadline, "10s")
		return nil
	}})
}

// RehearsalServerTS is the rehearsal's copy of the backend's entry
// (backend/src/server.ts): it calls startServer() from serverStartup.ts,
// which calls validateConfig() (config.ts) before serve() binds the port.
// SEC-2 follows the calls statically.
const RehearsalServerTS = `import 'dotenv/config';
import { startServer } from './serverStartup.js';

startServer().catch((err) => {
  console.error('Failed to start server', err);
  process.exit(1);
});
`

// RehearsalServerStartupTS is backend/src/serverStartup.ts of the rehearsal.
const RehearsalServerStartupTS = `import { serve } from '@hono/node-server';
import { validateConfig } from './config.js';
import { app } from './app.js';

export async function startServer(): Promise<void> {
  // Fail fast: in production a missing required variable aborts startup here,
  // before any port is bound.
  validateConfig();
  const port = Number(process.env.PORT ?? 3000);
  serve({ fetch: app.fetch, port }, (info) => {
    console.log(` + "`Server listening on port ${info.port}`" + `);
  });
}
`

// RehearsalConfigTS is backend/src/config.ts of the rehearsal.
const RehearsalConfigTS = `export function validateConfig(): void {
  const missing = ['DATABASE_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'].filter((k) => !process.env[k]);
  if (process.env.NODE_ENV === 'production' && missing.length > 0) {
    console.error('[FATAL] Production startup aborted — missing required configuration:');
    process.exit(1);
  }
}
`

// RehearsalServerSources maps repo-relative paths to the rehearsal's start-path sources.
func RehearsalServerSources() map[string]string {
	return map[string]string{
		"backend/src/server.ts":        RehearsalServerTS,
		"backend/src/serverStartup.ts": RehearsalServerStartupTS,
		"backend/src/config.ts":        RehearsalConfigTS,
	}
}

// RehearsalAuthorizedDomains are the healthy Firebase Auth authorized domains.
func RehearsalAuthorizedDomains() []string {
	return []string{RehearsalFirebaseProject + ".firebaseapp.com", RehearsalFirebaseProject + ".web.app", "hustlexp.app", "www.hustlexp.app"}
}

// RehearsalRailwayVariables is a complete, healthy production variable set as
// the Railway API would return it (values are rehearsal-only fiction: live
// Stripe key shape, distinct webhook secrets, a production Firebase project).
func RehearsalRailwayVariables(sentryDSN string) map[string]string {
	return map[string]string{
		"NODE_ENV":                      "production",
		"PORT":                          "3000",
		"DATABASE_URL":                  "postgresql://hustlexp_app:r3h34rs4l-db-pw@ep-rehearsal-123456.us-east-2.aws.neon.tech/hustlexp?sslmode=require",
		"DB_POOL_MAX":                   "20",
		"QUEUE_HMAC_SECRET":             "q7Hq2vJ9mW4rT8yZ1cX6bN3pL5kS0dFg",
		"FIREBASE_PROJECT_ID":           RehearsalFirebaseProject,
		"FIREBASE_CLIENT_EMAIL":         "firebase-adminsdk-x1y2z@" + RehearsalFirebaseProject + ".iam.gserviceaccount.com",
		"FIREBASE_PRIVATE_KEY":          "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n",
		"FIREBASE_WEB_API_KEY":          "AIzaSyR3h34rs4lW3bK3yF0rL4unchCh3ck",
		"STRIPE_SECRET_KEY":             "sk_live_51R3h34rs4lL4unchCh3ckK3yZ9",
		"STRIPE_MODE":                   "live",
		"STRIPE_WEBHOOK_SECRET":         "whsec_pl4tf0rmR3h34rs4lS3cr3t0001",
		"STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_c0nn3ctR3h34rs4lS3cr3t0002",
		"HX_PAYMENT_CREATION_MODE":      "enabled",
		"UPSTASH_REDIS_REST_URL":        "https://rehearsal-hustlexp-12345.upstash.io",
		"UPSTASH_REDIS_REST_TOKEN":      "AX1yASQgR3h34rs4lUpst4shT0k3n",
		"UPSTASH_REDIS_URL":             "rediss://default:AX1yASQgR3h34rs4l@rehearsal-hustlexp-12345.upstash.io:6379",
		"TAX_TIN_ENCRYPTION_KEY":        strings.Repeat("3f9a", 16),
		"R2_ENDPOINT":                   "https://0123456789abcdef.r2.cloudflarestorage.com",
		"R2_ACCESS_KEY_ID":              "r2AccessK3yR3h34rs4l",
		"R2_SECRET_ACCESS_KEY":          "r2S3cr3tR3h34rs4lK3yV4lu3",
		"R2_BUCKET_NAME":                "hustlexp-uploads",
		"SENDGRID_API_KEY":              "SG.R3h34rs4lS3ndGr1dK3y",
		"ALLOWED_ORIGINS":               "https://hustlexp.app,https://www.hustlexp.app",
		"INTERNAL_API_KEY":              "1nt3rn4lR3h34rs4lK3yF0rD3t41l3d",
		"TASK_LOCATION_ENCRYPTION_KEY":  "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=",
		"SENTRY_DSN":                    sentryDSN,
	}
}

// standinRevision asks the stand-in's /health for build.revision, so the
// Railway deployment matches what the rehearsal API reports.
func standinRevision(ctx context.Context, w *world.World) string {
	base := w.Env()[config.BaseURL]
	if base == "" {
		return RehearsalRevision
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/health", nil)
	if err != nil {
		return RehearsalRevision
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return RehearsalRevision
	}
	defer resp.Body.Close()
	var body struct {
		Build struct {
			Revision string `json:"revision"`
		} `json:"build"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil || len(body.Build.Revision) != 40 {
		return RehearsalRevision
	}
	return body.Build.Revision
}

// deployRedis makes the Railway fake's production variables name the Redis
// the world serves (INF-3 ties the suite's URLs to the deployment's by
// host): UPSTASH_REDIS_URL the TLS proxy, UPSTASH_REDIS_REST_URL the
// Upstash REST fake.
func deployRedis(w *world.World, tcp url.URL) {
	r := partsOf(w).Railway
	if r == nil {
		return
	}
	rest := ""
	if u := partsOf(w).Upstash; u != nil {
		rest = u.URL
	}
	r.Update(func(s *railwayfake.State) {
		e, sv := s.Env("production"), s.Service("hustlexp-engine")
		if e == nil || sv == nil {
			return
		}
		m := s.Variables[railwayfake.VarsKey(e.ID, sv.ID)]
		if m == nil {
			return
		}
		tcp.User = url.UserPassword("default", "AX1yASQgR3h34rs4l")
		m["UPSTASH_REDIS_URL"] = tcp.String()
		if rest != "" {
			m["UPSTASH_REDIS_REST_URL"] = rest
		}
	})
}
