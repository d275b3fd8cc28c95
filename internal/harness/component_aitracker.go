package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/internal/world"
)

// The backend's AI spend tracker INCRBYs ai:global_spend:<UTC date> (cents)
// on every AI call. The rehearsal has no AI traffic, so it leaves the
// footprint a live tracker would: yesterday's and today's counters (DAY-3
// needs evidence that the tracker is alive before it calls $0 "within budget").
func init() {
	Register(world.Component{Name: "aitracker", Order: 30, Start: func(ctx context.Context, w *world.World) error {
		opt, err := redis.ParseURL(w.RedisURL)
		if err != nil {
			return fmt.Errorf("aitracker: %w", err)
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		now := time.Now().UTC()
		for key, cents := range map[string]int64{
			"ai:global_spend:" + now.AddDate(0, 0, -1).Format("2006-01-02"): 2210,
			"ai:global_spend:" + now.Format("2006-01-02"):                   412,
		} {
			if err := rdb.IncrBy(ctx, key, cents).Err(); err != nil {
				return fmt.Errorf("aitracker: INCRBY %s: %w", key, err)
			}
			rdb.Expire(ctx, key, 72*time.Hour)
		}
		return nil
	}})
}
