// Package replicas tells how many API replicas the deployment runs, for the
// rows that must reach every replica (GNG-4, SMK-2, SMK-4): the larger of
// Railway's serviceInstance.numReplicas (unset: Railway's default, 1) and the
// operator's HUSTLEXP_REPLICAS. The operator's number alone is a belief, not
// evidence: with its default (1) a check stopped after one answer.
package replicas

import (
	"context"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
)

// RailwayVars are what reading the replica count needs (the token is either
// of two: RAILWAY_TOKEN or RAILWAY_API_TOKEN).
var RailwayVars = []string{config.RailwayProjectID, config.RailwayAPIURL, check.AnyOf(config.RailwayToken, config.RailwayAPIToken)}

// Want is how many replicas a check must reach and where the number comes from.
type Want struct {
	N    int
	From string // "serviceInstance.numReplicas" or HUSTLEXP_REPLICAS
	// Railway is the deployment's own count (1 when Railway leaves it unset).
	Railway int
	Where   string // "Railway <environment>/<service>"
}

// String is evidence: "3 (serviceInstance.numReplicas of Railway production/hustlexp-engine)".
func (w Want) String() string {
	if w.From == config.Replicas {
		return fmt.Sprintf("%d (%s; Railway %s runs %d)", w.N, config.Replicas, w.Where, w.Railway)
	}
	return fmt.Sprintf("%d (%s of %s)", w.N, w.From, w.Where)
}

// Expected reads serviceInstance.numReplicas of the production API service
// (RAILWAY_ENVIRONMENT / RAILWAY_SERVICE) and returns the larger of it and
// HUSTLEXP_REPLICAS. The caller checks RailwayVars first.
func Expected(ctx context.Context, cfg *config.Config) (Want, error) {
	rc, ok := railway.ForTokens(cfg.Get(config.RailwayAPIURL), cfg.Get(config.RailwayToken), cfg.Get(config.RailwayAPIToken), cfg.Duration(config.HTTPTimeout))
	if !ok {
		return Want{}, fmt.Errorf("%s or %s not set", config.RailwayToken, config.RailwayAPIToken)
	}
	tgt, err := rc.Resolve(ctx, cfg.Get(config.RailwayProjectID), cfg.Get(config.RailwayEnvironment), cfg.Get(config.RailwayService))
	if err != nil {
		return Want{}, err
	}
	w := Want{N: 1, From: "serviceInstance.numReplicas", Railway: 1, Where: "Railway " + tgt.Environment.Name + "/" + tgt.Service.Name}
	n, err := rc.NumReplicas(ctx, tgt.Environment.ID, tgt.Service.ID)
	if err != nil {
		return Want{}, fmt.Errorf("read serviceInstance.numReplicas of %s: %w", w.Where, err)
	}
	if n != nil {
		w.Railway = max(*n, 1)
		w.N = w.Railway
	}
	if op := cfg.Int(config.Replicas); op > w.N {
		w.N, w.From = op, config.Replicas
	}
	return w, nil
}

// Set tells replicas apart by their process start (answer time − uptime):
// two answers whose starts lie within 250 ms come from the same process.
type Set struct{ starts []time.Time }

// Len is how many distinct replicas answered.
func (s *Set) Len() int { return len(s.starts) }

// Index returns the 1-based replica number of a process start, adding it
// when it is new.
func (s *Set) Index(st time.Time) (int, time.Time) {
	for i, x := range s.starts {
		if d := st.Sub(x); d < 250*time.Millisecond && d > -250*time.Millisecond {
			return i + 1, x
		}
	}
	s.starts = append(s.starts, st)
	return len(s.starts), st
}

// Labels are "replica N up since T" for every replica seen, as evidence.
func (s *Set) Labels() []string {
	var out []string
	for i, x := range s.starts {
		out = append(out, fmt.Sprintf("replica %d up since %s", i+1, x.UTC().Format(time.RFC3339)))
	}
	return out
}
