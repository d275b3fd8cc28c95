package config

// Infrastructure section (INF-1..INF-6): Railway, Cloudflare, Upstash, the API
// host's TLS and DNS. Railway and Cloudflare variables are shared with the
// Security, Monitoring and Rollback sections.
const (
	RailwayToken       = "RAILWAY_TOKEN"
	RailwayAPIToken    = "RAILWAY_API_TOKEN"
	RailwayAPIURL      = "RAILWAY_API_URL"
	RailwayProjectID   = "RAILWAY_PROJECT_ID"
	RailwayEnvironment = "RAILWAY_ENVIRONMENT"
	RailwayService     = "RAILWAY_SERVICE"

	CloudflareAPIToken = "CLOUDFLARE_API_TOKEN"
	CloudflareAPIURL   = "CLOUDFLARE_API_URL"
	CloudflareZone     = "CLOUDFLARE_ZONE"

	UpstashRESTURL   = "UPSTASH_REDIS_REST_URL"
	UpstashRESTToken = "UPSTASH_REDIS_REST_TOKEN"
	UpstashRedisURL  = "UPSTASH_REDIS_URL"
	RequireRedisTLS  = "HUSTLEXP_REQUIRE_REDIS_TLS"

	APIHost       = "HUSTLEXP_API_HOST"
	APIDialAddr   = "HUSTLEXP_API_DIAL_ADDR"
	TLSCAFile     = "HUSTLEXP_TLS_CA_FILE"
	MinCertDays   = "HUSTLEXP_MIN_CERT_DAYS"
	MinHSTSMaxAge = "HUSTLEXP_MIN_HSTS_MAX_AGE"
	DNSResolvers  = "HUSTLEXP_DNS_RESOLVERS"
	DNSDeadline   = "HUSTLEXP_DNS_DEADLINE"
	BuildService  = "HUSTLEXP_BUILD_SERVICE"
)

func init() {
	declare(
		Var{Name: RailwayToken, Kind: KindSecret, Group: "Infrastructure",
			Doc: "Railway project token of the production environment (sent as Project-Access-Token; the least-privilege choice) for deployments, variables and logs; used before RAILWAY_API_TOKEN."},
		Var{Name: RailwayAPIToken, Kind: KindSecret, Group: "Infrastructure",
			Doc: "Railway account or team token (sent as Authorization: Bearer), used when RAILWAY_TOKEN is not set."},
		Var{Name: RailwayAPIURL, Kind: KindURL, Default: "https://backboard.railway.com/graphql/v2", Group: "Infrastructure",
			Doc: "Railway public GraphQL endpoint."},
		Var{Name: RailwayProjectID, Kind: KindString, Group: "Infrastructure",
			Doc: "Railway project id of HustleXP."},
		Var{Name: RailwayEnvironment, Kind: KindString, Default: "production", Group: "Infrastructure",
			Doc: "Name of the Railway environment that serves production."},
		Var{Name: RailwayService, Kind: KindString, Default: "hustlexp-engine", Group: "Infrastructure",
			Doc: "Name of the Railway service running the API."},
		Var{Name: CloudflareAPIToken, Kind: KindSecret, Group: "Infrastructure",
			Doc: "Cloudflare API token with Zone:Read, DNS:Read and Zone Settings:Read on the zone."},
		Var{Name: CloudflareAPIURL, Kind: KindURL, Default: "https://api.cloudflare.com/client/v4", Group: "Infrastructure",
			Doc: "Cloudflare v4 API base URL."},
		Var{Name: CloudflareZone, Kind: KindString, Group: "Infrastructure",
			Doc: "Cloudflare zone name that holds the API host (e.g. hustlexp.app)."},
		Var{Name: UpstashRESTURL, Kind: KindURL, Group: "Infrastructure",
			Doc: "UPSTASH_REDIS_REST_URL of the deployment (Upstash REST endpoint); INF-3 requires the host of Railway's variable of the same name."},
		Var{Name: UpstashRESTToken, Kind: KindSecret, Group: "Infrastructure",
			Doc: "UPSTASH_REDIS_REST_TOKEN of the deployment (bearer for the REST endpoint)."},
		Var{Name: UpstashRedisURL, Kind: KindRedisURL, Group: "Infrastructure",
			Doc: "INF-3: Redis TCP URL the queues use (the deployment's UPSTASH_REDIS_URL, rediss://; its host must be the host of Railway's UPSTASH_REDIS_URL); default HUSTLEXP_REDIS_URL."},
		Var{Name: RequireRedisTLS, Kind: KindBool, Default: "true", Group: "Infrastructure",
			Doc: "INF-3: the Redis TCP URL must use TLS (rediss://)."},
		Var{Name: APIHost, Kind: KindString, Group: "Infrastructure",
			Doc: "Public host name of the API checked by INF-4/5/6 (default: the host of HUSTLEXP_BASE_URL)."},
		Var{Name: APIDialAddr, Kind: KindString, Group: "Infrastructure",
			Doc: "host:port to connect to instead of resolving HUSTLEXP_API_HOST (the rehearsal points it at its TLS front; leave empty in live runs). An error with HUSTLEXP_TARGET=production."},
		Var{Name: TLSCAFile, Kind: KindPath, Group: "Infrastructure",
			Doc: "Extra PEM CA bundle trusted in addition to the system roots when verifying the API certificate and Redis TLS (the rehearsal's local CA). An error with HUSTLEXP_TARGET=production."},
		Var{Name: MinCertDays, Kind: KindInt, Default: "21", Group: "Infrastructure",
			Doc: "INF-4: minimum days before the API certificate expires."},
		Var{Name: MinHSTSMaxAge, Kind: KindInt, Default: "31536000", Group: "Infrastructure",
			Doc: "INF-4: minimum Strict-Transport-Security max-age in seconds (1 year)."},
		Var{Name: DNSResolvers, Kind: KindList, Default: "1.1.1.1:53,8.8.8.8:53,9.9.9.9:53,208.67.222.222:53", Group: "Infrastructure",
			Doc: "INF-6: DNS resolvers (host:port) that must all answer for the API host and agree with Cloudflare."},
		Var{Name: DNSDeadline, Kind: KindDuration, Default: "2m", Group: "Infrastructure",
			Doc: "INF-6: how long to wait for propagation before failing; INF-6's deadline is HUSTLEXP_CHECK_TIMEOUT plus this wait."},
		Var{Name: BuildService, Kind: KindString, Default: "hustlexp-engine", Group: "Infrastructure",
			Doc: "Expected build.service reported by /health."},
	)
}
