package launch

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	sentrygo "github.com/getsentry/sentry-go"
	"github.com/stripe/stripe-go/v76"
	identitytoolkit "google.golang.org/api/identitytoolkit/v2"
	"google.golang.org/api/option"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/sentry"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// SecretsNoPlaceholders checks SEC-1: All environment variables set in
// Railway (no placeholders) — every required variable is present and
// non-empty in the production environment, no value matches a placeholder
// pattern, the Stripe key and STRIPE_MODE agree (live), the two webhook
// secrets differ, the Firebase emulator variable is absent, and
// /health/detailed reports stripe and firebase "configured". Only variable
// NAMES are ever printed.
func SecretsNoPlaceholders(t check.T, env *target.Env) {
	t.Helper()
	identityFirst(t, env, "SEC-1")
	need(t, env, []string{config.BaseURL, config.InternalAPIKey}, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	vars, sealed := railwayVariablesSealed(t, ctx, env)
	check.Evidence(t, "railway_variables", fmt.Sprintf("%d names: %s", len(vars), strings.Join(sortedKeys(vars), ",")))
	if len(sealed) > 0 {
		check.Evidence(t, "sealed_variables", fmt.Sprintf("%s (present; values not readable through the API, not scanned for placeholders)", strings.Join(sortedKeys(sealed), ",")))
	}
	problems := requiredVarProblems(env, vars, sealed)
	problems = append(problems, productionValueProblems(env, vars)...)
	attest, detailed := detailedAttestation(t, ctx, env)
	problems = append(problems, detailed...)
	unattested := sealedUnattested(t, ctx, env, sealed, attest.stripe, attest.firebase, attest.ok)
	if len(problems) > 0 {
		t.Fatalf("SEC-1 %s", strings.Join(problems, "; "))
	}
	if len(unattested) > 0 {
		check.Unverified(t, "SEC-1 sealed required variables whose value nothing attests (a sealed placeholder or test key would pass unseen): %s",
			strings.Join(unattested, "; "))
	}
}

// requiredVarProblems names the required variables (HUSTLEXP_REQUIRED_VARS,
// "A|B" = either) that are missing or empty; a sealed one counts as set.
func requiredVarProblems(env *target.Env, vars map[string]string, sealed map[string]bool) []string {
	var missing, empty []string
	for _, req := range env.Cfg.List(config.RequiredVars) {
		state := "missing"
		for _, n := range strings.Split(req, "|") {
			n = strings.TrimSpace(n)
			v, ok := vars[n]
			switch {
			case sealed[n] || (ok && strings.TrimSpace(v) != ""):
				state = "ok"
			case ok && state == "missing":
				state = "empty"
			}
		}
		switch state {
		case "missing":
			missing = append(missing, req)
		case "empty":
			empty = append(empty, req)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "required variables missing: "+strings.Join(missing, ", "))
	}
	if len(empty) > 0 {
		problems = append(problems, "required variables empty: "+strings.Join(empty, ", "))
	}
	return problems
}

// productionValueProblems judges the readable values: placeholders, the
// Stripe key/mode/webhook secrets, the emulator variable, NODE_ENV.
func productionValueProblems(env *target.Env, vars map[string]string) []string {
	var problems []string
	hits := placeholderHits(vars, env.Cfg.List(config.PlaceholderPatterns))
	for _, n := range sortedKeys(hits) {
		problems = append(problems, fmt.Sprintf("%s looks like a placeholder (matches %q)", n, hits[n]))
	}
	problems = append(problems, stripeConsistency(vars)...)
	if _, ok := vars["FIREBASE_AUTH_EMULATOR_HOST"]; ok {
		problems = append(problems, "FIREBASE_AUTH_EMULATOR_HOST is set in production: the Admin SDK would trust emulator tokens; delete it")
	}
	if v := vars["NODE_ENV"]; v != "production" {
		problems = append(problems, fmt.Sprintf("NODE_ENV is %q, want production", v))
	}
	return problems
}

// detailedAttest is what /health/detailed attests about the deployment's
// secrets: it answered 200 to the suite's bearer, and reports stripe and
// firebase "configured".
type detailedAttest struct{ ok, stripe, firebase bool }

// detailedAttestation asks /health/detailed and returns what it attests and
// the problems it shows (stripe/firebase not "configured", no answer).
func detailedAttestation(t check.T, ctx context.Context, env *target.Env) (detailedAttest, []string) {
	t.Helper()
	d, resp, err := hxapi.New(env).Detailed(ctx)
	if err != nil {
		return detailedAttest{}, []string{err.Error()}
	}
	check.Evidence(t, "detailed_checks", fmt.Sprintf("stripe=%s firebase=%s", d.Checks.Stripe.Status, d.Checks.Firebase.Status))
	var problems []string
	for _, c := range []struct {
		path string
		got  hxapi.Check
	}{{"checks.stripe", d.Checks.Stripe}, {"checks.firebase", d.Checks.Firebase}} {
		if c.got.Status != "configured" {
			problems = append(problems, fmt.Sprintf("GET /health/detailed = %d: %s.status = %q, want \"configured\" (%s)", resp.Status, c.path, c.got.Status, d.Why(c.path)))
		}
	}
	ok := resp.Status == 200
	return detailedAttest{ok: ok, stripe: ok && d.Checks.Stripe.Status == "configured", firebase: ok && d.Checks.Firebase.Status == "configured"}, problems
}

// sealedUnattested judges the sealed required variables: their values cannot
// be read, so each needs something else that attests its value class —
// /health/detailed (stripe/firebase "configured", database ok, the bearer
// accepted), Stripe's own answer about the mode of the key the suite holds,
// the suite's copies of the webhook secrets. It returns, per unattested
// variable, why (names only).
func sealedUnattested(t check.T, ctx context.Context, env *target.Env, sealed map[string]bool, stripeConfigured, firebaseConfigured, detailedOK bool) []string {
	t.Helper()
	required := map[string]bool{}
	for _, req := range env.Cfg.List(config.RequiredVars) {
		for _, n := range strings.Split(req, "|") {
			required[strings.TrimSpace(n)] = true
		}
	}
	var out, attested []string
	for _, n := range sortedKeys(sealed) {
		if !required[n] {
			continue
		}
		why := ""
		switch {
		case n == "STRIPE_SECRET_KEY":
			why = stripeKeyMode(ctx, env, stripeConfigured)
		case n == "STRIPE_WEBHOOK_SECRET" || n == "STRIPE_CONNECT_WEBHOOK_SECRET":
			if v := env.Cfg.Get(n); !strings.HasPrefix(v, "whsec_") || !stripeConfigured {
				why = fmt.Sprintf("the suite's %s is not a whsec_ secret or /health/detailed does not report stripe configured", n)
			}
		case strings.HasPrefix(n, "FIREBASE_"):
			if !firebaseConfigured {
				why = "/health/detailed does not report firebase configured"
			}
		case n == "INTERNAL_API_KEY" || n == "DATABASE_URL":
			if !detailedOK {
				why = "/health/detailed did not answer 200 to the suite's bearer"
			}
		default:
			why = "nothing outside the variable attests its value"
		}
		if why != "" {
			out = append(out, n+": "+why)
		} else {
			attested = append(attested, n)
		}
	}
	if len(attested) > 0 {
		check.Evidence(t, "sealed_attested", strings.Join(attested, ","))
	}
	return out
}

// stripeKeyMode asks Stripe, with the key the suite holds, whether it is a
// live-mode key; "" when live and /health/detailed reports stripe configured.
func stripeKeyMode(ctx context.Context, env *target.Env, stripeConfigured bool) string {
	if !stripeConfigured {
		return "/health/detailed does not report stripe configured"
	}
	if env.Cfg.Get(config.StripeSecretKey) == "" {
		return fmt.Sprintf("set %s (the deployment's key) so Stripe can report its mode", config.StripeSecretKey)
	}
	sc := stripeapi.New(env.Cfg)
	p := &stripe.BalanceParams{}
	p.Context = ctx
	b, err := sc.Balance.Get(p)
	switch {
	case err != nil:
		return "Stripe GET /v1/balance: " + stripeapi.Describe(err)
	case !b.Livemode:
		return "Stripe reports the key is a test-mode key (livemode=false)"
	}
	return ""
}

// stripeConsistency checks key/mode agreement and the webhook secrets (names only).
func stripeConsistency(vars map[string]string) []string {
	var out []string
	key, mode := vars["STRIPE_SECRET_KEY"], vars["STRIPE_MODE"]
	switch {
	case strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "rk_test_"):
		out = append(out, fmt.Sprintf("STRIPE_SECRET_KEY is a test-mode key (sk_test_) in production (STRIPE_MODE=%q)", mode))
	case key != "" && !strings.HasPrefix(key, "sk_live_") && !strings.HasPrefix(key, "rk_live_"):
		out = append(out, "STRIPE_SECRET_KEY is not a Stripe live secret key (want sk_live_… or rk_live_…)")
	}
	if mode != "" && mode != "live" {
		out = append(out, fmt.Sprintf("STRIPE_MODE is %q, want live in production", mode))
	}
	wh, cwh := vars["STRIPE_WEBHOOK_SECRET"], vars["STRIPE_CONNECT_WEBHOOK_SECRET"]
	for _, n := range []string{"STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET"} {
		if v := vars[n]; v != "" && !strings.HasPrefix(v, "whsec_") {
			out = append(out, n+" does not start with whsec_")
		}
	}
	if wh != "" && wh == cwh {
		out = append(out, "STRIPE_WEBHOOK_SECRET and STRIPE_CONNECT_WEBHOOK_SECRET are equal: the backend disables both webhook destinations")
	}
	return out
}

// ValidateConfigOnStartup checks SEC-2: `validateConfig()` runs on startup
// (server.ts) — statically, the server start file calls validateConfig()
// before it starts listening; the latest production deployment's logs hold no
// startup-abort line; and, where the target offers a boot probe (the
// rehearsal: env.Boot), booting in production mode without a required
// variable is refused before a port is bound.
func ValidateConfigOnStartup(t check.T, env *target.Env) {
	t.Helper()
	file, root := serverStartFile(t, env)
	need(t, env, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	problems := startOrderProblems(t, env, file, root)
	problems = append(problems, startupAbortProblems(t, ctx, env)...)
	problems = append(problems, bootProbeProblems(t, ctx, env)...)
	if len(problems) > 0 {
		t.Fatalf("SEC-2 %s", strings.Join(problems, "; "))
	}
}

// serverStartFile is the server entry (HUSTLEXP_SERVER_FILE, else
// HUSTLEXP_REPO_DIR + HUSTLEXP_SERVER_ENTRY, a checkout tied to the
// deployed revision) and the root its chain is shown relative to.
func serverStartFile(t check.T, env *target.Env) (file, root string) {
	t.Helper()
	file = env.Cfg.Get(config.ServerFile)
	if file == "" {
		need(t, env, []string{config.RepoDir}, railwayVars)
		checkoutTied(t, env, "SEC-2 server start path")
		file = filepath.Join(env.Cfg.Get(config.RepoDir), env.Cfg.Get(config.ServerEntry))
	}
	root = env.Cfg.Get(config.RepoDir)
	if root == "" {
		root = filepath.Dir(file)
	}
	return file, root
}

// startOrderProblems follows the start path from the entry (statically) and
// judges which comes first: validateConfig() or a listen/serve call.
func startOrderProblems(t check.T, env *target.Env, file, root string) []string {
	t.Helper()
	ev, err := followStart(root, file)
	if err != nil {
		t.Fatalf("read server start file: %v (set %s, or %s and %s)", err, config.ServerFile, config.RepoDir, config.ServerEntry)
	}
	chain := strings.Join(ev.chain, " → ")
	switch ev.kind {
	case "validate":
		check.Evidence(t, "server_start", fmt.Sprintf("validateConfig() reached before any listen (%d files followed): %s", ev.files, chain))
	case "listen":
		return []string{fmt.Sprintf("the server starts listening before validateConfig() is called: %s (%d files followed from %s); call validateConfig() before the port is bound",
			chain, ev.files, filepath.Base(file))}
	default:
		check.Unverified(t, "%s: followed %d files from the entry and its relative imports, found neither validateConfig() nor a listen/serve call; cannot tell whether the configuration is validated before the port is bound (set %s to the server entry)",
			file, ev.files, config.ServerEntry)
	}
	return nil
}

// startupAbortProblems reads the latest production deployment's logs for
// the backend's startup-abort lines. No line at all is unverified: an
// empty log (retention, another deployment) proves nothing about startup.
func startupAbortProblems(t check.T, ctx context.Context, env *target.Env) []string {
	t.Helper()
	rc, tgt := railwayTarget(t, ctx, env)
	dep, err := rc.Latest(ctx, tgt)
	if err != nil {
		t.Fatalf("%v", err)
	}
	logs, err := rc.DeploymentLogs(ctx, dep.ID, 500)
	if err != nil {
		t.Fatalf("deployment logs of %s: %v", dep.ID, err)
	}
	check.Evidence(t, "deployment_logs", fmt.Sprintf("%s: %d lines read", dep.ID, len(logs)))
	if len(logs) == 0 {
		check.Unverified(t, "SEC-2 Railway returned no log lines for deployment %s (status %s): its startup cannot be judged (logs past retention, or not the deployment that booted)",
			dep.ID, dep.Status)
	}
	for _, l := range logs {
		if strings.Contains(l.Message, "[FATAL] Production startup aborted") || strings.Contains(l.Message, "❌ CRITICAL") {
			return []string{fmt.Sprintf("deployment %s logged a startup abort at %s: %q", dep.ID, l.Timestamp.UTC().Format(time.RFC3339), l.Message)}
		}
	}
	return nil
}

// bootProbeProblems boots the backend in production mode without one
// required variable, where the target offers a boot probe (env.Boot): it
// must refuse before binding a port, naming the variable.
func bootProbeProblems(t check.T, ctx context.Context, env *target.Env) []string {
	t.Helper()
	boot := env.Boot
	if boot == nil {
		return nil
	}
	e := map[string]string{}
	for k, v := range boot.Env {
		if k != boot.Without {
			e[k] = v
		}
	}
	e["NODE_ENV"] = "production"
	res, err := boot.Run(ctx, e)
	switch {
	case err != nil:
		return []string{fmt.Sprintf("boot probe: %v", err)}
	case res.Listened || !res.Refused:
		return []string{fmt.Sprintf("booting in production mode without %s was NOT refused: the server started listening (validateConfig() does not stop startup)", boot.Without)}
	case !strings.Contains(res.Stderr, "[FATAL] Production startup aborted") || !strings.Contains(res.Stderr, boot.Without):
		return []string{fmt.Sprintf("boot without %s was refused, but stderr lacks the [FATAL] line naming it: %q", boot.Without, res.Stderr)}
	}
	check.Evidence(t, "boot_probe", fmt.Sprintf("without %s: refused before listening", boot.Without))
	return nil
}

// StripeWebhookRegistered checks SEC-3: Stripe webhook endpoint registered —
// enabled endpoints at <base>/webhooks/stripe for the platform and for
// Connect, each subscribing the event types the backend handles, API version
// pinned as expected.
func StripeWebhookRegistered(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.StripeSecretKey, config.StripeAPIBase, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	want := strings.TrimRight(env.Cfg.Get(config.BaseURL), "/") + "/webhooks/stripe"
	all := listWebhookEndpoints(t, ctx, env)
	var platform, connect []string
	var problems []string
	apiVersion := env.Cfg.Get(config.StripeWebhookVersion)
	for _, we := range all {
		if strings.TrimRight(we.URL, "/") != want {
			continue
		}
		kind, bad := judgeWebhookEndpoint(t, we, apiVersion)
		switch {
		case len(bad) > 0:
			problems = append(problems, fmt.Sprintf("%s endpoint %s: %s", kind, we.ID, strings.Join(bad, "; ")))
		case kind == "Connect":
			connect = append(connect, we.ID)
		default:
			platform = append(platform, we.ID)
		}
	}
	if len(platform) == 0 {
		problems = append(problems, fmt.Sprintf("no enabled platform webhook endpoint at %s", want))
	}
	if len(connect) == 0 {
		problems = append(problems, fmt.Sprintf("no enabled Connect webhook endpoint (application set: created with connect=true) at %s", want))
	}
	if len(problems) > 0 {
		t.Fatalf("SEC-3 %s (of %d endpoints in the account)", strings.Join(problems, "; "), len(all))
	}
}

// listWebhookEndpoints lists the account's webhook endpoints (at most 1000).
func listWebhookEndpoints(t check.T, ctx context.Context, env *target.Env) []*stripe.WebhookEndpoint {
	t.Helper()
	params := &stripe.WebhookEndpointListParams{}
	params.Limit = stripe.Int64(stripeapi.PageSize)
	params.Context = ctx
	it := stripeapi.New(env.Cfg).WebhookEndpoints.List(params)
	var all []*stripe.WebhookEndpoint
	for n := 0; it.Next() && n < 1000; n++ {
		all = append(all, it.WebhookEndpoint())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("Stripe GET /v1/webhook_endpoints: %s", stripeapi.Describe(err))
	}
	return all
}

// judgeWebhookEndpoint names the endpoint's kind ("platform" or "Connect")
// and what is wrong with it: not enabled, event types the backend handles
// missing, another API version than the pinned one.
func judgeWebhookEndpoint(t check.T, we *stripe.WebhookEndpoint, apiVersion string) (kind string, bad []string) {
	t.Helper()
	// Stripe's API has no "connect" attribute: an endpoint created with
	// connect=true carries the Connect application's id in application
	kind, events := "platform", PlatformWebhookEvents
	if we.Application != "" {
		kind, events = "Connect", ConnectWebhookEvents
	}
	check.Evidence(t, "endpoint_"+we.ID, fmt.Sprintf("%s %s status=%s api_version=%s events=%d", kind, we.URL, we.Status, we.APIVersion, len(we.EnabledEvents)))
	if we.Status != "enabled" {
		bad = append(bad, fmt.Sprintf("status %s", we.Status))
	}
	if miss := missingEvents(we.EnabledEvents, events); len(miss) > 0 {
		bad = append(bad, "missing event types "+strings.Join(miss, ", "))
	}
	if apiVersion != "" && we.APIVersion != apiVersion {
		bad = append(bad, fmt.Sprintf("api_version %q, want %q", we.APIVersion, apiVersion))
	}
	return kind, bad
}

func missingEvents(enabled, want []string) []string {
	have := map[string]bool{}
	for _, e := range enabled {
		have[e] = true
	}
	if have["*"] {
		return nil
	}
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}

// FirebaseProductionMode checks SEC-4: Firebase project set to production
// mode — the deployment's FIREBASE_PROJECT_ID is the expected production
// project (not demo-…), the emulator variable is absent, the project's
// authorized domains are production domains only (Identity Toolkit admin API),
// and an ID token of a test user signed up in that project is accepted by the
// deployment (user.me answers 200).
func FirebaseProductionMode(t check.T, env *target.Env) {
	t.Helper()
	names := []string{config.BaseURL, config.FirebaseWebAPIKey, config.FirebaseProjectID}
	if env.Cfg.Live() {
		names = append(names, config.FirebaseCredentialsFile)
	}
	need(t, env, names, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	vars := railwayVariables(t, ctx, env)
	project := vars["FIREBASE_PROJECT_ID"]
	want := env.Cfg.Get(config.FirebaseExpected)
	if want == "" {
		want = env.Cfg.Get(config.FirebaseProjectID)
	}
	var problems []string
	switch {
	case project == "":
		t.Fatalf("SEC-4 FIREBASE_PROJECT_ID is not set in the Railway production variables")
	case strings.HasPrefix(project, "demo-"):
		problems = append(problems, fmt.Sprintf("FIREBASE_PROJECT_ID is the demo project %q (emulator-only), want the production project", project))
	case want != "" && project != want:
		problems = append(problems, fmt.Sprintf("FIREBASE_PROJECT_ID is %q, want %q (%s)", project, want, config.FirebaseExpected))
	}
	if _, ok := vars["FIREBASE_AUTH_EMULATOR_HOST"]; ok {
		problems = append(problems, "FIREBASE_AUTH_EMULATOR_HOST is set in the Railway production variables")
	}
	check.Evidence(t, "firebase_project", project)
	domains, err := authorizedDomains(ctx, env, project)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		check.Evidence(t, "authorized_domains", strings.Join(domains, ","))
		allowed := map[string]bool{project + ".firebaseapp.com": true, project + ".web.app": true}
		for _, d := range env.Cfg.List(config.ProductionDomains) {
			allowed[strings.ToLower(d)] = true
		}
		for _, d := range domains {
			if !allowed[strings.ToLower(d)] {
				problems = append(problems, fmt.Sprintf("authorized domain %q is not a production domain (%s): remove it in Firebase Auth settings", d, config.ProductionDomains))
			}
		}
	}
	if len(problems) == 0 {
		if err := tokenAccepted(t, ctx, env); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		t.Fatalf("SEC-4 %s", strings.Join(problems, "; "))
	}
}

// authorizedDomains reads the project's Identity Toolkit admin config.
func authorizedDomains(ctx context.Context, env *target.Env, project string) ([]string, error) {
	opts := []option.ClientOption{option.WithEndpoint(env.Cfg.Get(config.IdentityToolkitURL)),
		option.WithHTTPClient(&http.Client{Timeout: httpTimeout(env)})}
	if f := env.Cfg.Get(config.FirebaseCredentialsFile); f != "" {
		opts = []option.ClientOption{option.WithEndpoint(env.Cfg.Get(config.IdentityToolkitURL)), option.WithCredentialsFile(f)}
	} else {
		opts = append(opts, option.WithoutAuthentication())
	}
	cctx, cancel := context.WithTimeout(ctx, httpTimeout(env))
	defer cancel()
	svc, err := identitytoolkit.NewService(cctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("identity toolkit client: %v", err)
	}
	cfg, err := svc.Projects.GetConfig("projects/" + project + "/config").Context(cctx).Do()
	if err != nil {
		return nil, fmt.Errorf("identity toolkit GET projects/%s/config: %v", project, err)
	}
	return cfg.AuthorizedDomains, nil
}

// tokenAccepted signs a tagged test user up in the project and calls user.me
// with its ID token; the Firebase user is deleted afterwards. (user.me
// provisions a users row for the tagged e-mail; it stays, like FUN-1's.)
func tokenAccepted(t check.T, ctx context.Context, env *target.Env) error {
	t.Helper()
	fc, err := firebaseauth.New(env.Cfg)
	if err != nil {
		return fmt.Errorf("firebase client: %v", err)
	}
	suffix := make([]byte, 3)
	rand.Read(suffix)
	email := fmt.Sprintf("%s-sec4-%x@%s", env.Tag(), suffix, env.Cfg.Get(config.TestEmailDomain))
	id, err := fc.SignUp(ctx, email, firebaseauth.NewPassword())
	if err != nil {
		return fmt.Errorf("sign up test user in Firebase: %v", err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := fc.Delete(cctx, id.UID); err != nil {
			t.Logf("cleanup: delete Firebase test user %s: %v", id.UID, err)
		}
	})
	resp, err := hxapi.New(env).Do(ctx, hxapi.Request{Method: http.MethodGet, Path: "/trpc/user.me",
		Header: http.Header{"Authorization": {"Bearer " + id.IDToken}}})
	if err != nil {
		return err
	}
	check.Evidence(t, "user_me", fmt.Sprintf("%d", resp.Status))
	switch resp.Status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return fmt.Errorf("GET /trpc/user.me with an ID token of project %s = 401, want 200: the deployment does not accept this project's tokens (its Firebase credentials belong to another project): %s", fc.ProjectID, resp.Excerpt())
	default:
		return fmt.Errorf("GET /trpc/user.me with an ID token of project %s = %d, want 200: %s", fc.ProjectID, resp.Status, resp.Excerpt())
	}
	return nil
}

// SentryDSNConfigured checks SEC-5: Sentry DSN configured for production —
// the deployment's SENTRY_DSN parses (sentry-go), its key is an active client
// key of the expected Sentry project, and the project has a production
// environment.
func SentryDSNConfigured(t check.T, env *target.Env) {
	t.Helper()
	need(t, env, []string{config.SentryAuthToken, config.SentryOrg, config.SentryProject, config.SentryAPIURL}, railwayVars)
	ctx := check.Ctx(t, env.Cfg)
	dsn := deploymentDSN(t, ctx, env)
	sc := sentry.New(env.Cfg.Get(config.SentryAPIURL), env.Cfg.Get(config.SentryAuthToken), httpTimeout(env))
	org, slug := env.Cfg.Get(config.SentryOrg), env.Cfg.Get(config.SentryProject)
	p, err := sc.Project(ctx, org, slug)
	if err != nil {
		t.Fatalf("SEC-5 %v", err)
	}
	var problems []string
	if dsn.GetProjectID() != p.ID {
		problems = append(problems, fmt.Sprintf("SENTRY_DSN points at project id %s, but %s/%s is project %s: events go to another project", dsn.GetProjectID(), org, slug, p.ID))
	}
	problems = append(problems, sentryKeyProblems(t, ctx, sc, org, slug, dsn)...)
	problems = append(problems, sentryEnvironmentProblems(t, ctx, sc, org, slug)...)
	if len(problems) > 0 {
		t.Fatalf("SEC-5 %s", strings.Join(problems, "; "))
	}
}

// deploymentDSN reads and parses the deployment's SENTRY_DSN (Railway
// production variables).
func deploymentDSN(t check.T, ctx context.Context, env *target.Env) *sentrygo.Dsn {
	t.Helper()
	vars, sealed := railwayVariablesSealed(t, ctx, env)
	raw := vars["SENTRY_DSN"]
	if raw == "" && sealed["SENTRY_DSN"] {
		check.Unverified(t, "SENTRY_DSN is a sealed Railway variable: its value (the key to match against Sentry) is not readable through the API")
	}
	if raw == "" {
		t.Fatalf("SEC-5 SENTRY_DSN is not set in the Railway production variables: errors are not reported")
	}
	dsn, err := sentrygo.NewDsn(raw)
	if err != nil {
		t.Fatalf("SEC-5 SENTRY_DSN does not parse as a Sentry DSN: %v", errors.Unwrap(err))
	}
	check.Evidence(t, "dsn", fmt.Sprintf("host=%s project_id=%s", dsn.GetHost(), dsn.GetProjectID()))
	return dsn
}

// sentryKeyProblems finds the DSN's public key among the project's client
// keys: it must be there and active.
func sentryKeyProblems(t check.T, ctx context.Context, sc *sentry.Client, org, slug string, dsn *sentrygo.Dsn) []string {
	t.Helper()
	keys, err := sc.Keys(ctx, org, slug)
	if err != nil {
		t.Fatalf("SEC-5 %v", err)
	}
	var found *sentry.Key
	for i := range keys {
		if keys[i].Public == dsn.GetPublicKey() {
			found = &keys[i]
		}
	}
	switch {
	case found == nil:
		return []string{fmt.Sprintf("SENTRY_DSN's key is not a client key of %s/%s (%d keys): it was deleted or belongs elsewhere", org, slug, len(keys))}
	case !found.IsActive:
		return []string{fmt.Sprintf("SENTRY_DSN's key %q of %s/%s is revoked (isActive=false): Sentry drops every event", found.Label, org, slug)}
	}
	check.Evidence(t, "sentry_key", fmt.Sprintf("%s active", found.Label))
	return nil
}

// sentryEnvironmentProblems: the project must have seen a "production"
// environment (one production event has arrived).
func sentryEnvironmentProblems(t check.T, ctx context.Context, sc *sentry.Client, org, slug string) []string {
	t.Helper()
	envs, err := sc.Environments(ctx, org, slug)
	if err != nil {
		t.Fatalf("SEC-5 %v", err)
	}
	var names []string
	hasProd := false
	for _, e := range envs {
		names = append(names, e.Name)
		hasProd = hasProd || e.Name == "production"
	}
	check.Evidence(t, "sentry_environments", strings.Join(names, ","))
	if !hasProd {
		return []string{fmt.Sprintf("Sentry project %s/%s has no environment \"production\" (environments: %s): no production event has ever arrived", org, slug, strings.Join(names, ", "))}
	}
	return nil
}

// RateLimitsVerified checks SEC-6: Rate limits verified for production load —
// a bounded burst from this runner to a limited path: X-RateLimit-Limit equals
// the expected tier, and the request after the limit gets 429 with
// Retry-After. It exhausts this runner's bucket for one window, so its test
// runs last in the phase (security_test.go sorts after the other launch/ files).
func RateLimitsVerified(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	path := env.Cfg.Get(config.RateLimitPath)
	want, tier := RateLimitTier(path)
	if env.Cfg.Has(config.ExpectedRateLimit) {
		want, tier = env.Cfg.Int(config.ExpectedRateLimit), config.ExpectedRateLimit
	}
	if want <= 0 {
		check.NotConfigured(t, env.Cfg, fmt.Sprintf("no expected limit for %s: set %s", path, config.ExpectedRateLimit))
	}
	check.Evidence(t, "expected_limit", fmt.Sprintf("%d on %s (%s)", want, path, tier))
	c := hxapi.New(env)
	firstAt := time.Now()
	first, err := c.Get(ctx, path, false)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if first.Status == http.StatusTooManyRequests {
		t.Fatalf("SEC-6 GET %s = 429 on the first request: this runner's bucket is already exhausted (another burst ran within the window); rerun after %s s", path, first.Header.Get("Retry-After"))
	}
	limit, remaining, ok := first.RateLimit()
	if !ok {
		t.Fatalf("SEC-6 GET %s = %d without X-RateLimit-Limit/Remaining headers: the limiter is not in front of this path", path, first.Status)
	}
	check.Evidence(t, "x_ratelimit", fmt.Sprintf("limit=%d remaining=%d", limit, remaining))
	if limit != want {
		t.Fatalf("SEC-6 GET %s: X-RateLimit-Limit = %d, want %d (%s)", path, limit, want, tier)
	}
	burstUntilRefused(t, ctx, c, env, path, limit, remaining, firstAt)
}

// burstUntilRefused sends the burst after the first request (firstAt): at
// most remaining+3 requests (and HUSTLEXP_RATE_LIMIT_MAX_REQUESTS); one must
// get 429 with a positive Retry-After. No 429 proves nothing when the bucket
// refilled meanwhile (X-RateLimit-Remaining rose, or the window passed).
func burstUntilRefused(t check.T, ctx context.Context, c *hxapi.Client, env *target.Env, path string, limit, remaining int, firstAt time.Time) {
	t.Helper()
	cap := remaining + 3
	if m := env.Cfg.Int(config.RateLimitMaxRequests); cap > m {
		cap = m
	}
	start := time.Now()
	last, reset := remaining, "" // reset: how the bucket was seen to refill during the burst
	for i := 1; i <= cap; i++ {
		r, err := c.Get(ctx, path, false)
		if err != nil {
			t.Fatalf("SEC-6 request %d of the burst: %v", i+1, err)
		}
		if r.Status != http.StatusTooManyRequests {
			if _, rem, ok := r.RateLimit(); ok {
				if rem > last && reset == "" {
					reset = fmt.Sprintf("X-RateLimit-Remaining rose from %d to %d at request %d, %s after the first", last, rem, i+1, time.Since(firstAt).Round(time.Millisecond))
				}
				last = rem
			}
			continue
		}
		ra := r.Header.Get("Retry-After")
		check.Evidence(t, "burst", fmt.Sprintf("429 on request %d (limit %d, %d remaining at start) after %s; Retry-After=%s", i+1, limit, remaining, time.Since(start).Round(time.Millisecond), ra))
		if n, err := strconv.Atoi(ra); err != nil || n <= 0 {
			t.Fatalf("SEC-6 the 429 at request %d has Retry-After %q, want a positive number of seconds", i+1, ra)
		}
		return
	}
	if el := time.Since(firstAt); reset != "" || el >= rateLimitWindow {
		if reset == "" {
			reset = fmt.Sprintf("it took %s, longer than the %s window", el.Round(time.Millisecond), rateLimitWindow)
		}
		check.Unverified(t, "SEC-6 the bucket reset during the burst of %d requests (%s), so the missing 429 proves nothing: rerun from a runner closer to the API", cap+1, reset)
	}
	t.Fatalf("SEC-6 no 429 after the limit: %d requests to %s within %s all passed (X-RateLimit-Limit %d, remaining %d at start): the limiter does not enforce its limit", cap+1, path, time.Since(start).Round(time.Millisecond), limit, remaining)
}

// rateLimitWindow is the limiter's fixed window (contract §7.2, §7.3).
const rateLimitWindow = 60 * time.Second

// CORSProductionOnly checks SEC-7: CORS origins updated to production domains
// only. In production mode the backend allows exactly Railway's
// ALLOWED_ORIGINS (contract §6; empty: https://hustlexp.app and
// https://www.hustlexp.app), so that list must equal HUSTLEXP_ALLOWED_ORIGINS
// as a set and hold no `*`, http:// or localhost origin. Preflights: every
// expected origin is echoed, every origin Railway lists that is not expected
// is refused, and foreign, localhost, `null` and http:// twins get no
// Access-Control-Allow-Origin.
func CORSProductionOnly(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	allowed := env.Cfg.List(config.AllowedOrigins)
	deployed := deployedOrigins(t, ctx, env)
	problems := originListProblems(config.AllowedOrigins, allowed)
	problems = append(problems, originListProblems("Railway ALLOWED_ORIGINS", deployed)...)
	if extra, missing := setDiff(deployed, allowed), setDiff(allowed, deployed); len(extra)+len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("the deployment's ALLOWED_ORIGINS (Railway) differs from %s: allows %s beyond it, lacks %s",
			config.AllowedOrigins, listOrNone(extra), listOrNone(missing)))
	}
	c := hxapi.New(env)
	// preflight returns the Access-Control-Allow-Origin answered to origin;
	// a preflight that gets no answer ends the check
	preflight := func(origin string) string {
		r, err := c.Do(ctx, hxapi.Request{Method: http.MethodOptions, Path: "/trpc/health.ping",
			Header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization,content-type"}}})
		if err != nil {
			t.Fatalf("SEC-7 preflight from %s: %v", origin, err)
		}
		return r.Header.Get("Access-Control-Allow-Origin")
	}
	for _, o := range allowed {
		if got := preflight(o); got != o {
			problems = append(problems, fmt.Sprintf("preflight from production origin %s: Access-Control-Allow-Origin = %q, want %q", o, got, o))
		}
	}
	bad := append(setDiff(deployed, allowed), env.Cfg.Get(config.ForeignOrigin), "http://localhost:3000", "http://localhost:5173", "http://localhost:5174", "http://localhost:8081", "null")
	for _, o := range allowed {
		if strings.HasPrefix(o, "https://") {
			bad = append(bad, "http://"+strings.TrimPrefix(o, "https://"))
		}
	}
	for _, o := range bad {
		switch got := preflight(o); {
		case got == "*":
			problems = append(problems, fmt.Sprintf("preflight from %s: Access-Control-Allow-Origin: * (wildcard)", o))
		case got != "":
			problems = append(problems, fmt.Sprintf("preflight from foreign origin %s: Access-Control-Allow-Origin = %q, want none", o, got))
		}
	}
	check.Evidence(t, "cors", fmt.Sprintf("%d production origins echoed, %d foreign origins probed; Railway ALLOWED_ORIGINS = %s", len(allowed), len(bad), strings.Join(deployed, ",")))
	if len(problems) > 0 {
		t.Fatalf("SEC-7 %s", strings.Join(problems, "; "))
	}
}

// deployedOrigins is the CORS list the production backend runs with:
// Railway's ALLOWED_ORIGINS (comma-separated, trimmed, empties dropped) or,
// when empty, the backend's production default (contract §6). A sealed value
// cannot be read: unverified.
func deployedOrigins(t check.T, ctx context.Context, env *target.Env) []string {
	t.Helper()
	vars, sealed := railwayVariablesSealed(t, ctx, env)
	raw, ok := vars["ALLOWED_ORIGINS"]
	if (raw == "" || railway.Masked(raw)) && sealed["ALLOWED_ORIGINS"] {
		check.Unverified(t, "ALLOWED_ORIGINS is sealed in Railway: the CORS origins the deployment allows cannot be read (unseal it; %s is the operator's belief, not evidence)", config.AllowedOrigins)
	}
	var out []string
	for _, o := range strings.Split(raw, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = []string{"https://hustlexp.app", "https://www.hustlexp.app"}
		check.Evidence(t, "railway_allowed_origins", fmt.Sprintf("empty (set=%v): the backend's production default %s", ok, strings.Join(out, ",")))
	}
	return out
}

// originListProblems names the entries of a production origin list that
// are `*`, http:// or localhost.
func originListProblems(name string, origins []string) []string {
	var out []string
	for _, o := range origins {
		if o == "*" || strings.HasPrefix(o, "http://") || strings.Contains(o, "localhost") {
			out = append(out, fmt.Sprintf("%s lists %q: production origins must be https:// and not localhost", name, o))
		}
	}
	return out
}

// setDiff lists the entries of a that b lacks.
func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "nothing"
	}
	return strings.Join(xs, ", ")
}

// HealthHidesEnvironment checks SEC-8: Health endpoint does NOT expose
// environment info — /health, /health/readiness, /health/liveness and an
// error form (unknown /health sub-path) reveal no environment names, NODE_ENV,
// host names, dependency versions, raw DB errors or stack traces; each
// offending JSON path is listed. HUSTLEXP_HEALTH_ALLOWED_FIELDS lists the
// paths the team accepts (shown in the evidence). The three health endpoints
// answer JSON (contract §2): a body that is not JSON there (an edge's error
// page) could not be judged and fails the row; any non-JSON body is also
// searched as text.
func HealthHidesEnvironment(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	allowed := map[string]bool{}
	for _, f := range env.Cfg.List(config.HealthAllowedFields) {
		allowed[f] = true
	}
	shown := strings.Join(env.Cfg.List(config.HealthAllowedFields), ",")
	if shown == "" {
		shown = "none"
	}
	check.Evidence(t, "allowed_fields", shown+" ("+config.HealthAllowedFields+")")
	c := hxapi.New(env)
	var problems, judged []string
	seen := map[string]bool{}
	errorForm := "/health/" + env.Tag() + "-missing"
	for _, p := range []string{"/health", "/health/readiness", "/health/liveness", errorForm} {
		r, err := c.Get(ctx, p, false)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("SEC-8 GET %s = 429: rate limited, cannot inspect the body (run SEC-6 last)", p)
		}
		bad, ok, err := exposures(r.Body, allowed)
		if err != nil { // not JSON: judged as text
			problems = append(problems, nonJSONHealthProblems(p, p != errorForm, r)...)
			continue
		}
		judged = append(judged, p)
		for _, b := range bad {
			problems = append(problems, fmt.Sprintf("GET %s = %d: %s", p, r.Status, b))
		}
		for _, f := range ok {
			seen[f] = true
		}
	}
	check.Evidence(t, "json_bodies_judged", fmt.Sprintf("%d of 4 (%s)", len(judged), strings.Join(judged, ", ")))
	if len(seen) > 0 {
		check.Evidence(t, "allowed_fields_present", strings.Join(sortedKeys(seen), ","))
	}
	if len(problems) > 0 {
		t.Fatalf("SEC-8 health bodies expose environment information: %s (allow-list %s=%q)", strings.Join(problems, "; "), config.HealthAllowedFields, env.Cfg.Get(config.HealthAllowedFields))
	}
}

var (
	// textHostRe finds an internal host name inside free text.
	textHostRe = regexp.MustCompile(`(?i)\b(ip-\d+-\d+-\d+-\d+|[a-z0-9-]+\.railway\.internal)\b`)
)

// nonJSONHealthProblems judges a health answer that is not JSON: on a JSON
// endpoint (mustJSON) it could not be inspected, which is a problem naming
// status and Content-Type; its text is searched for a stack trace, raw
// database/network error, internal address or host and — outside an HTML
// page, whose prose would match — an environment name.
func nonJSONHealthProblems(path string, mustJSON bool, r *hxapi.Response) []string {
	var out []string
	ctype := r.Header.Get("Content-Type")
	if mustJSON {
		out = append(out, fmt.Sprintf("GET %s = %d answered %q, not JSON: the body could not be judged (%s)", path, r.Status, ctype, r.Excerpt()))
	}
	whys := textExposures(r.Body)
	if m := textHostRe.Find(r.Body); m != nil {
		whys = append(whys, fmt.Sprintf("an internal host name (%s)", m))
	}
	if !strings.Contains(strings.ToLower(ctype), "html") {
		if m := envWordRe.FindSubmatch(r.Body); m != nil {
			whys = append(whys, fmt.Sprintf("an environment name (%q)", m[2]))
		}
	}
	for _, why := range whys {
		out = append(out, fmt.Sprintf("GET %s = %d: non-JSON body with %s", path, r.Status, why))
	}
	return out
}
