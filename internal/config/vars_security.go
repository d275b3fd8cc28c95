package config

// Security section (SEC-1..SEC-8). Sentry variables are shared with the
// Monitoring section and DAY-4.
const (
	SentryAuthToken = "SENTRY_AUTH_TOKEN"
	SentryAPIURL    = "SENTRY_API_URL"
	SentryOrg       = "SENTRY_ORG"
	SentryProject   = "SENTRY_PROJECT"

	RequiredVars         = "HUSTLEXP_REQUIRED_VARS"
	PlaceholderPatterns  = "HUSTLEXP_PLACEHOLDER_PATTERNS"
	StripeWebhookVersion = "HUSTLEXP_STRIPE_WEBHOOK_API_VERSION"
	FirebaseExpected     = "HUSTLEXP_FIREBASE_PROJECT"
	ProductionDomains    = "HUSTLEXP_PRODUCTION_DOMAINS"
	IdentityToolkitURL   = "HUSTLEXP_IDENTITY_TOOLKIT_URL"
	ExpectedRateLimit    = "HUSTLEXP_EXPECTED_RATE_LIMIT"
	RateLimitPath        = "HUSTLEXP_RATE_LIMIT_PATH"
	RateLimitMaxRequests = "HUSTLEXP_RATE_LIMIT_MAX_REQUESTS"
	AllowedOrigins       = "HUSTLEXP_ALLOWED_ORIGINS"
	ForeignOrigin        = "HUSTLEXP_FOREIGN_ORIGIN"
	HealthAllowedFields  = "HUSTLEXP_HEALTH_ALLOWED_FIELDS"
	ServerEntry          = "HUSTLEXP_SERVER_ENTRY"
	ServerFile           = "HUSTLEXP_SERVER_FILE"
)

// DefaultRequiredVars is the contract's production list (§5.1, §5.2, §5.4);
// "A|B" means either name satisfies the requirement (the backend's fallbacks).
const DefaultRequiredVars = "NODE_ENV,DATABASE_URL,QUEUE_HMAC_SECRET,FIREBASE_PROJECT_ID,FIREBASE_PRIVATE_KEY,FIREBASE_CLIENT_EMAIL," +
	"STRIPE_SECRET_KEY,STRIPE_MODE,STRIPE_WEBHOOK_SECRET,STRIPE_CONNECT_WEBHOOK_SECRET," +
	"UPSTASH_REDIS_REST_URL|REDIS_URL,UPSTASH_REDIS_REST_TOKEN|REDIS_TOKEN,UPSTASH_REDIS_URL|REDIS_URL," +
	"TAX_TIN_ENCRYPTION_KEY,R2_ENDPOINT|S3_ENDPOINT|R2_ACCOUNT_ID,R2_ACCESS_KEY_ID|AWS_ACCESS_KEY_ID," +
	"R2_SECRET_ACCESS_KEY|AWS_SECRET_ACCESS_KEY,R2_BUCKET_NAME|BUCKET_NAME,ALLOWED_ORIGINS," +
	"INTERNAL_API_KEY,TASK_LOCATION_ENCRYPTION_KEY,SENTRY_DSN"

func init() {
	declare(
		Var{Name: SentryAuthToken, Kind: KindSecret, Group: "Security",
			Doc: "Sentry auth token (project:read, org:read) for the SEC-5 key and environment checks."},
		Var{Name: SentryAPIURL, Kind: KindURL, Default: "https://sentry.io", Group: "Security",
			Doc: "Sentry base URL (the API lives under /api/0)."},
		Var{Name: SentryOrg, Kind: KindString, Group: "Security",
			Doc: "Sentry organization slug."},
		Var{Name: SentryProject, Kind: KindString, Group: "Security",
			Doc: "Sentry project slug the production SENTRY_DSN must belong to."},
		Var{Name: RequiredVars, Kind: KindList, Default: DefaultRequiredVars, Group: "Security",
			Doc: "SEC-1: variable names that must be set and non-empty in the Railway production environment; A|B accepts either name."},
		Var{Name: PlaceholderPatterns, Kind: KindList, Default: "placeholder,changeme,change_me,xxx,todo,example,your_,<,dummy,sk_test_,pk_test_,demo-", Group: "Security",
			Doc: "SEC-1: case-insensitive substrings that mark a production variable value as a placeholder."},
		Var{Name: StripeWebhookVersion, Kind: KindString, Default: "2025-11-17.clover", Group: "Security",
			Doc: "SEC-3: Stripe API version the webhook endpoints must be pinned to (contract §11.1)."},
		Var{Name: FirebaseExpected, Kind: KindString, Group: "Security",
			Doc: "SEC-4: the production Firebase project id (default: FIREBASE_PROJECT_ID of the Railway production variables; never demo-…)."},
		Var{Name: ProductionDomains, Kind: KindList, Default: "hustlexp.app,www.hustlexp.app,api.hustlexp.app", Group: "Security",
			Doc: "SEC-4: the only domains allowed in Firebase Auth authorized domains (besides <project>.firebaseapp.com / .web.app)."},
		Var{Name: IdentityToolkitURL, Kind: KindURL, Default: "https://identitytoolkit.googleapis.com/", Group: "Security",
			Doc: "SEC-4: Identity Toolkit admin API endpoint (project config: authorized domains), called with FIREBASE_CREDENTIALS_FILE."},
		Var{Name: ExpectedRateLimit, Kind: KindInt, Group: "Security",
			Doc: "SEC-6: expected X-RateLimit-Limit on HUSTLEXP_RATE_LIMIT_PATH (default: the contract's tier table, 60 for /health*)."},
		Var{Name: RateLimitPath, Kind: KindString, Default: "/health/liveness", Group: "Security",
			Doc: "SEC-6: the rate-limited path the burst is sent to."},
		Var{Name: RateLimitMaxRequests, Kind: KindInt, Default: "1000", Group: "Security",
			Doc: "SEC-6: hard cap on requests the burst may send (the limit plus a few)."},
		Var{Name: AllowedOrigins, Kind: KindList, Default: "https://hustlexp.app,https://www.hustlexp.app", Group: "Security",
			Doc: "SEC-7: the production CORS origins. Railway's ALLOWED_ORIGINS (what the backend allows in production mode; empty: its default, these two) must equal this set; each must be echoed, nothing else may be."},
		Var{Name: ForeignOrigin, Kind: KindString, Default: "https://evil.example.com", Group: "Security",
			Doc: "SEC-7: a foreign origin that must not be allowed."},
		Var{Name: HealthAllowedFields, Kind: KindList, Default: "", EmptyOK: true, Group: "Security",
			Doc: "SEC-8: JSON paths the team accepts in /health bodies (e.g. build.environment), shown in the evidence. Default: nothing allowed (the deploy workflow reads only status, build.revision, build.clean_source and build.service); a team that accepts a field sets it here or records a SEC-8 waiver. A non-JSON answer on /health, readiness or liveness (an edge's error page) fails SEC-8: nothing could be inspected."},
		Var{Name: ServerEntry, Kind: KindString, Default: "backend/src/server.ts", Group: "Security",
			Doc: "SEC-2: the backend's entry, relative to HUSTLEXP_REPO_DIR; its calls are followed through its relative imports, and validateConfig() must be reached before the port is bound."},
		Var{Name: ServerFile, Kind: KindPath, Group: "Security",
			Doc: "SEC-2: the server start file itself (default: HUSTLEXP_REPO_DIR/HUSTLEXP_SERVER_ENTRY)."},
	)
}
