package postlaunch

import (
	"context"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"
)

// promScalar runs an instant query that must return one sample now.
func promScalar(ctx context.Context, cfg *config.Config, q string) (float64, error) {
	if cfg.Get(config.PrometheusURL) == "" {
		return 0, fmt.Errorf("%s not set", config.PrometheusURL)
	}
	v, ok, err := prom.FromConfig(cfg).Scalar(ctx, q, time.Now())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("query %q returned no sample", q)
	}
	return v, nil
}

// promClient is the row's client for PROMETHEUS_URL (validated by the
// configuration loader, so building it cannot fail); the series it scopes
// its queries to (HUSTLEXP_PROM_SELECTOR) are the row's evidence. A scope
// that cannot be settled fails the row's first query, naming the jobs.
func promClient(t check.T, cfg *config.Config) *prom.Client {
	t.Helper()
	c := prom.FromConfig(cfg)
	now := time.Now()
	if scope, err := c.Scope(check.Ctx(t, cfg), now.Add(-24*time.Hour), now); err == nil {
		check.Evidence(t, "prometheus_scope", scope.String())
	}
	return c
}
