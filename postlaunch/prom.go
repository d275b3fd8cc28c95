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
	c, err := prom.NewFromConfig(cfg)
	if err != nil {
		return 0, err
	}
	v, ok, err := c.Scalar(ctx, q, time.Now())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("query %q returned no sample", q)
	}
	return v, nil
}

// promClient is the row's client for PROMETHEUS_URL; a URL the client
// cannot parse ends the row.
func promClient(t check.T, cfg *config.Config) *prom.Client {
	t.Helper()
	c, err := prom.NewFromConfig(cfg)
	if err != nil {
		t.Fatalf("%s: %v", config.PrometheusURL, err)
	}
	return c
}
