package postlaunch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
)

// deploymentsRead is how many of the service's newest deployments WK-5 lists.
const deploymentsRead = 50

// httpLogsLimit is the most entries WK-5 reads per deployment and query.
const httpLogsLimit = 5000

const httpLogsQuery = `query HttpLogs($deploymentId: String!, $filter: String, $afterDate: String, $beforeDate: String, $limit: Int) {
  httpLogs(deploymentId: $deploymentId, filter: $filter, afterDate: $afterDate, beforeDate: $beforeDate, limit: $limit) {
    timestamp srcIp httpStatus method path
  }
}`

type httpLog struct {
	Timestamp  string `json:"timestamp"`
	SrcIP      string `json:"srcIp"`
	HTTPStatus int    `json:"httpStatus"`
	Method     string `json:"method"`
	Path       string `json:"path"`
}

// http429s is what Railway's HTTP logs say about 429s in a period.
type http429s struct {
	deployments int            // deployments whose logs were read
	anyLine     bool           // some request at all is logged in the period
	byIP        map[string]int // 429s per source IP
	total       int
	capped      bool // a deployment had httpLogsLimit 429s or more: counts are lower bounds
	complete    bool // the deployments read reach back to the start of the period
}

func (h http429s) sorted() []string {
	ips := make([]string, 0, len(h.byIP))
	for ip := range h.byIP {
		ips = append(ips, ip)
	}
	sort.Slice(ips, func(i, j int) bool {
		if h.byIP[ips[i]] != h.byIP[ips[j]] {
			return h.byIP[ips[i]] > h.byIP[ips[j]]
		}
		return ips[i] < ips[j]
	})
	return ips
}

// railwayHTTP429s reads the HTTP logs of every deployment of the service
// that served part of [from, to] (those created in it and the last one
// created before it): whether any request is logged, and the 429s by
// srcIp.
func railwayHTTP429s(ctx context.Context, rc *railway.Client, cfg *config.Config, from, to time.Time) (http429s, error) {
	h := http429s{byIP: map[string]int{}}
	tg, err := rc.Resolve(ctx, cfg.Get(config.RailwayProjectID), cfg.Get(config.RailwayEnvironment), cfg.Get(config.RailwayService))
	if err != nil {
		return h, err
	}
	ds, err := rc.Deployments(ctx, tg.Project.ID, tg.Environment.ID, tg.Service.ID, deploymentsRead)
	if err != nil {
		return h, err
	}
	h.complete = len(ds) < deploymentsRead // every deployment of the service is listed
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].CreatedAt.After(ds[j].CreatedAt) })
	vars := func(id, filter string, limit int) map[string]any {
		return map[string]any{"deploymentId": id, "filter": filter, "limit": limit,
			"afterDate": from.UTC().Format(time.RFC3339Nano), "beforeDate": to.UTC().Format(time.RFC3339Nano)}
	}
	for _, d := range ds {
		if d.CreatedAt.After(to) {
			continue
		}
		h.deployments++
		var out struct {
			HTTPLogs []httpLog `json:"httpLogs"`
		}
		if !h.anyLine {
			if err := rc.Do(ctx, "HttpLogs", httpLogsQuery, vars(d.ID, "", 1), &out); err != nil {
				return h, fmt.Errorf("deployment %s: %w", d.ID, err)
			}
			h.anyLine = len(out.HTTPLogs) > 0
		}
		out.HTTPLogs = nil
		if err := rc.Do(ctx, "HttpLogs", httpLogsQuery, vars(d.ID, "@httpStatus:429", httpLogsLimit), &out); err != nil {
			return h, fmt.Errorf("deployment %s: %w", d.ID, err)
		}
		for _, l := range out.HTTPLogs {
			if l.HTTPStatus == 429 {
				h.byIP[l.SrcIP]++
				h.total++
			}
		}
		h.capped = h.capped || len(out.HTTPLogs) >= httpLogsLimit
		if d.CreatedAt.Before(from) {
			h.complete = true
			break // it served the start of the period; older ones did not
		}
	}
	return h, nil
}
