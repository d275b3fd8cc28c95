package launch

// DB-3 stays here: it reads the deployment's pool size from Railway (the
// provider clients of this package). The other Database checks live in
// internal/dbcheck, shared with WK-4's restore drill.

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/target"
)

// PoolSized checks DB-3: Connection pool sized for expected load (max 20).
// DB_POOL_MAX and the replica count are the deployment's (Railway variables
// and serviceInstance.numReplicas), never the operator's own numbers.
func PoolSized(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.DatabaseURL)
	ctx := check.Ctx(t, env.Cfg)
	dp := deploymentPool(t, ctx, env)
	poolMax, limit := dp.PoolMax, env.Cfg.Int(config.DBPoolLimit)
	replicas, headroom := dp.Replicas, env.Cfg.Int(config.DBHeadroom)
	var maxConn, reserved, inUse int
	dbcheck.ReadOnly(t, env, func(ctx context.Context, tx pgx.Tx) error {
		var a, b string
		if err := tx.QueryRow(ctx, "SELECT current_setting('max_connections'), current_setting('superuser_reserved_connections')").Scan(&a, &b); err != nil {
			return err
		}
		maxConn, _ = strconv.Atoi(a)
		reserved, _ = strconv.Atoi(b)
		return tx.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").Scan(&inUse)
	})
	need := replicas*poolMax + headroom
	avail := maxConn - reserved
	check.Evidence(t, "pool_max", fmt.Sprintf("%d per process × %d replicas + %d headroom = %d of %d available (%s)", poolMax, replicas, headroom, need, avail, dp.Source))
	check.Evidence(t, "connections_in_use", inUse)
	if poolMax <= 0 {
		t.Errorf("the deployment's DB_POOL_MAX = %d, want 1..%d (%s)", poolMax, limit, dp.Source)
	}
	if poolMax > limit {
		t.Errorf("the deployment's DB_POOL_MAX = %d, want ≤ %d (the checklist's max; %s): lower DB_POOL_MAX in Railway", poolMax, limit, dp.Source)
	}
	if need > avail {
		t.Errorf("pools need %d connections (%d replicas × %d + %d headroom) but the server allows %d (max_connections %d − superuser_reserved %d): lower DB_POOL_MAX or use the pooled endpoint",
			need, replicas, poolMax, headroom, avail, maxConn, reserved)
	}
}

// DeploymentPool is the pool size and replica count the deployment runs with.
type DeploymentPool struct {
	PoolMax, Replicas int
	Source            string // where they were read, for evidence
}

// deploymentPool reads DB_POOL_MAX from the production service's Railway
// variables and the replica count from its service instance. A value that
// cannot be read (sealed, unset, not a number) never falls back to the
// operator's HUSTLEXP_DB_POOL_MAX: sealed → unverified, unset or garbage →
// failure naming what to set. An operator value that disagrees with the
// deployment's is a failure naming both.
func deploymentPool(t check.T, ctx context.Context, env *target.Env) DeploymentPool {
	t.Helper()
	check.Need(t, env.Cfg, railwayVars...)
	rc, tgt := railwayTarget(t, ctx, env)
	where := fmt.Sprintf("Railway %s/%s", tgt.Environment.Name, tgt.Service.Name)
	vars, err := rc.Variables(ctx, tgt.Project.ID, tgt.Environment.ID, tgt.Service.ID)
	if err != nil {
		t.Fatalf("read variables of %s: %v", where, err)
	}
	raw := strings.TrimSpace(vars["DB_POOL_MAX"])
	if raw == "" {
		if sealed, err := rc.SealedNames(ctx, tgt.Project.ID, tgt.Environment.ID, tgt.Service.ID); err == nil && sealed["DB_POOL_MAX"] {
			check.Unverified(t, "DB_POOL_MAX is sealed in %s: its value cannot be read, so the pool size the deployment runs with is unknown (unseal it; %s is the operator's belief, not evidence)", where, config.DBPoolMax)
		}
		t.Fatalf("DB_POOL_MAX is not set in %s: the pool size the deployment runs with is not visible (the backend falls back to its built-in default); set DB_POOL_MAX (≤ %d) in Railway", where, env.Cfg.Int(config.DBPoolLimit))
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		t.Fatalf("DB_POOL_MAX in %s is not an integer (%d characters): set DB_POOL_MAX to a number ≤ %d", where, len(raw), env.Cfg.Int(config.DBPoolLimit))
	}
	dp := DeploymentPool{PoolMax: n, Replicas: 1, Source: "DB_POOL_MAX from " + where}
	check.Evidence(t, "deployment_pool_max", fmt.Sprintf("DB_POOL_MAX=%d (%s)", n, where))
	if env.Cfg.Has(config.DBPoolMax) && env.Cfg.Int(config.DBPoolMax) != n {
		t.Errorf("%s = %d but the deployment runs with DB_POOL_MAX = %d (%s): the two disagree; correct %s or the Railway variable",
			config.DBPoolMax, env.Cfg.Int(config.DBPoolMax), n, where, config.DBPoolMax)
	}
	reps, err := rc.NumReplicas(ctx, tgt.Environment.ID, tgt.Service.ID)
	switch {
	case err != nil:
		t.Fatalf("read serviceInstance.numReplicas of %s: %v", where, err)
	case reps == nil:
		check.Evidence(t, "replicas", fmt.Sprintf("1 (%s: numReplicas unset, Railway's default)", where))
	default:
		dp.Replicas = max(*reps, 1)
		dp.Source += fmt.Sprintf(", %d replicas from serviceInstance.numReplicas", dp.Replicas)
		check.Evidence(t, "replicas", fmt.Sprintf("%d (%s serviceInstance.numReplicas)", dp.Replicas, where))
	}
	return dp
}
