package config

// Core variables: the target, the backend under test, the run, safety limits.
const (
	HustlexpTarget       = "HUSTLEXP_TARGET"
	RunID                = "HUSTLEXP_RUN_ID"
	BaseURL              = "HUSTLEXP_BASE_URL"
	InternalAPIKey       = "HUSTLEXP_INTERNAL_API_KEY"
	DatabaseURL          = "HUSTLEXP_DATABASE_URL"
	ScratchDatabaseURL   = "HUSTLEXP_SCRATCH_DATABASE_URL"
	RedisURL             = "HUSTLEXP_REDIS_URL"
	RepoDir              = "HUSTLEXP_REPO_DIR"
	RepoRevision         = "HUSTLEXP_REPO_REVISION"
	Waivers              = "HUSTLEXP_WAIVERS"
	CheckTimeout         = "HUSTLEXP_CHECK_TIMEOUT"
	HTTPTimeout          = "HUSTLEXP_HTTP_TIMEOUT"
	StatementTimeout     = "HUSTLEXP_STATEMENT_TIMEOUT"
	LaunchDate           = "HUSTLEXP_LAUNCH_DATE"
	Replicas             = "HUSTLEXP_REPLICAS"
	RehearsalDatabaseURL = "HUSTLEXP_REHEARSAL_DATABASE_URL"
	RehearsalRedisURL    = "HUSTLEXP_REHEARSAL_REDIS_URL"
	RehearsalProvider    = "HUSTLEXP_REHEARSAL_PROVIDER"
	PostgresImage        = "HUSTLEXP_POSTGRES_IMAGE"
	RedisImage           = "HUSTLEXP_REDIS_IMAGE"
	RehearsalKeep        = "HUSTLEXP_REHEARSAL_KEEP"
	DockerHost           = "DOCKER_HOST"
)

func init() {
	declare(
		Var{Name: HustlexpTarget, Kind: KindTarget, Default: "rehearsal", Group: "Core",
			Doc: "Where the checks point: rehearsal (a local world the suite builds), staging or production."},
		Var{Name: RunID, Kind: KindString, Group: "Core",
			Doc: "Run identifier used to tag everything a check creates (launchcheck-<runid>); generated when empty."},
		Var{Name: BaseURL, Kind: KindURL, Group: "Core",
			Doc: "Base URL of the HustleXP API under test, e.g. https://api.hustlexp.app."},
		Var{Name: InternalAPIKey, Kind: KindSecret, Group: "Core",
			Doc: "INTERNAL_API_KEY of the deployment: bearer for /health/detailed and /metrics."},
		Var{Name: DatabaseURL, Kind: KindDSN, Group: "Database",
			Doc: "Postgres URL of the production database, for a read-only role (checks run in READ ONLY transactions)."},
		Var{Name: ScratchDatabaseURL, Kind: KindDSN, Group: "Database",
			Doc: "Postgres URL of a scratch copy (e.g. a Neon branch) where the DB-2 trigger probes may write inside rolled-back transactions. Never the primary."},
		Var{Name: RedisURL, Kind: KindRedisURL, Group: "Core",
			Doc: "Redis TCP URL of the deployment (UPSTASH_REDIS_URL), rediss:// for TLS."},
		Var{Name: RepoDir, Kind: KindPath, Group: "Core",
			Doc: "Checkout of hustlexp-ai-backend: migration manifest, ops/ files, server.ts. In a live run it must be a clean git checkout of the revision /health reports (build.revision), else DB-1, SEC-2, MON-1, MON-2, MON-3 and MON-4 are unverified when they read from it."},
		Var{Name: RepoRevision, Kind: KindString, Group: "Rehearsal",
			Doc: "Rehearsal only: the revision of HUSTLEXP_REPO_DIR when it is not a git checkout (the world declares its embedded backend files' revision, the stand-in's build revision). Live runs read the checkout's revision with git and ignore it; an error with HUSTLEXP_TARGET=production."},
		Var{Name: Waivers, Kind: KindPath, Group: "Core",
			Doc: "Waiver file: lines 'ROW | YYYY-MM-DD expiry | owner | reason'. A valid waiver turns a row that cannot run into 'waived'."},
		Var{Name: CheckTimeout, Kind: KindDuration, Default: "60s", Group: "Core",
			Doc: "Deadline of one check (all its network calls together)."},
		Var{Name: HTTPTimeout, Kind: KindDuration, Default: "10s", Group: "Core",
			Doc: "Deadline of one HTTP call."},
		Var{Name: StatementTimeout, Kind: KindDuration, Default: "5s", Group: "Database",
			Doc: "statement_timeout for every SQL statement a check runs."},
		Var{Name: LaunchDate, Kind: KindDate, Group: "Report",
			Doc: "Launch day (YYYY-MM-DD): the report shows per row 'due in N days', 'overdue' or 'not yet due'."},
		Var{Name: Replicas, Kind: KindInt, Default: "1", Group: "Core",
			Doc: "Number of API replicas the operator expects: GNG-4, GNG-5, SMK-2 and SMK-4 must reach the larger of this and Railway's serviceInstance.numReplicas (DB-3 uses Railway's alone). /health carries no uptime: SMK-2 tells replicas apart by /health/liveness asked alongside."},
		Var{Name: RehearsalDatabaseURL, Kind: KindDSN, Group: "Rehearsal",
			Doc: "Use this Postgres (superuser) for the rehearsal instead of starting one."},
		Var{Name: RehearsalRedisURL, Kind: KindRedisURL, Group: "Rehearsal",
			Doc: "Use this Redis for the rehearsal instead of starting one."},
		Var{Name: RehearsalProvider, Kind: KindString, Group: "Rehearsal",
			Doc: "Force the rehearsal provider: urls, testcontainers or binaries (default: the first that works, in that order)."},
		Var{Name: PostgresImage, Kind: KindString, Default: "postgres:16-alpine", Group: "Rehearsal",
			Doc: "Postgres image for the testcontainers provider."},
		Var{Name: RedisImage, Kind: KindString, Default: "redis:7-alpine", Group: "Rehearsal",
			Doc: "Redis image for the testcontainers provider."},
		Var{Name: DockerHost, Kind: KindString, Group: "Rehearsal",
			Doc: "Docker engine for the testcontainers provider (default: /var/run/docker.sock when present)."},
		Var{Name: RehearsalKeep, Kind: KindBool, Group: "Rehearsal",
			Doc: "Keep the rehearsal's temporary directories after the run (debugging)."},
	)
}
