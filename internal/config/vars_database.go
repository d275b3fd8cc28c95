package config

// Database section (DB-1..DB-5) and Neon, also used by INF-2, RB-2 and WK-4.
const (
	ExpectedMigrations = "HUSTLEXP_EXPECTED_MIGRATIONS"
	DBPoolMax          = "HUSTLEXP_DB_POOL_MAX"
	DBPoolLimit        = "HUSTLEXP_DB_POOL_LIMIT"
	DBHeadroom         = "HUSTLEXP_DB_HEADROOM"
	NeonAPIKey         = "NEON_API_KEY"
	NeonProjectID      = "NEON_PROJECT_ID"
	NeonAPIURL         = "NEON_API_URL"
	NeonBranch         = "NEON_BRANCH"
	MinPITRDays        = "HUSTLEXP_MIN_PITR_DAYS"
)

func init() {
	declare(
		Var{Name: ExpectedMigrations, Kind: KindPath, Group: "Database",
			Doc: "File with the expected applied_migrations names, one per line (default: the backend's manifest under HUSTLEXP_REPO_DIR)."},
		Var{Name: DBPoolMax, Kind: KindInt, Default: "20", Group: "Database",
			Doc: "DB-3/GNG-5: the DB_POOL_MAX the operator believes the deployment runs with. The checks read the deployment's own value from Railway; when this is set explicitly and differs, they fail naming both."},
		Var{Name: DBPoolLimit, Kind: KindInt, Default: "20", Group: "Database",
			Doc: "The checklist's ceiling for DB_POOL_MAX (\"max 20\")."},
		Var{Name: DBHeadroom, Kind: KindInt, Default: "10", Group: "Database",
			Doc: "Connections kept free for migrations, workers and humans when sizing pools against max_connections."},
		Var{Name: NeonAPIKey, Kind: KindSecret, Group: "Database",
			Doc: "Neon API key (bearer) for project, branch and PITR checks."},
		Var{Name: NeonProjectID, Kind: KindString, Group: "Database",
			Doc: "Neon project id of the production database."},
		Var{Name: NeonAPIURL, Kind: KindURL, Default: "https://console.neon.tech/api/v2", Group: "Database",
			Doc: "Neon API base URL."},
		Var{Name: NeonBranch, Kind: KindString, Default: "production", Group: "Database",
			Doc: "Name of the Neon production branch."},
		Var{Name: MinPITRDays, Kind: KindInt, Default: "7", Group: "Database",
			Doc: "Minimum point-in-time-recovery window (Neon history retention), in days."},
	)
}

// MigrationManifest names the backend's migration manifest inside HUSTLEXP_REPO_DIR.
const MigrationManifest = "HUSTLEXP_MIGRATION_MANIFEST"

// DefaultMigrationManifest is where the backend keeps it: REQUIRED_MIGRATION_FILES,
// entries { name, fileName }.
const DefaultMigrationManifest = "backend/src/jobs/engine-automation-migration-files.ts"

func init() {
	declare(Var{Name: MigrationManifest, Kind: KindString, Default: DefaultMigrationManifest, Group: "Database",
		Doc: "DB-1: path, relative to HUSTLEXP_REPO_DIR, of the backend's migration manifest: the REQUIRED_MIGRATION_FILES array whose entries' name is the applied_migrations name (fileName is ignored); a JSON array or a one-name-per-line .txt also works."})
}
