package harness

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// RehearsalTaxJob is the rehearsal deployment's 1099-K threshold job: a
// BullMQ repeatable job on the maintenance queue (legacy repeat key
// name:jobId:endDate:tz:pattern in the bull:<queue>:repeat sorted set). WK-3
// finds it; the real backend at 140ce19f schedules no such job.
const (
	RehearsalTaxJob      = "tax-1099k-threshold-scan"
	RehearsalTaxRepeatKV = "bull:maintenance:repeat"
)

// SeedTaxJob writes the repeatable 1099-K threshold job into the Redis at url.
func SeedTaxJob(ctx context.Context, url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rc := redis.NewClient(opt)
	defer rc.Close()
	next := time.Now().Add(24 * time.Hour).UnixMilli()
	return rc.ZAdd(ctx, RehearsalTaxRepeatKV, redis.Z{Score: float64(next), Member: RehearsalTaxJob + "::::0 6 * * *"}).Err()
}

func init() {
	// The Railway service instance runs as many replicas as the stand-in.
	Register(world.Component{Name: "railway-replicas", Order: 26, Start: func(ctx context.Context, w *world.World) error {
		n, err := strconv.Atoi(w.Env()[config.Replicas])
		if err != nil || n < 1 {
			n = 1
		}
		partsOf(w).Railway.Update(func(s *railwayfake.State) {
			if e, sv := s.Env("production"), s.Service("hustlexp-engine"); e != nil && sv != nil {
				if sv.NumReplicas == nil {
					sv.NumReplicas = map[string]int{}
				}
				sv.NumReplicas[e.ID] = n
			}
		})
		return nil
	}})
	Register(world.Component{Name: "tax-job", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		return SeedTaxJob(ctx, w.RedisURL)
	}})
}
