package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/target"
)

// logStore finds log lines containing a text.
type logStore interface {
	Name() string
	Search(ctx context.Context, text string) ([]string, error)
}

// railwayLogs searches the deployment logs of the live Railway deployment.
type railwayLogs struct {
	c          *railway.Client
	deployment string
}

func (r railwayLogs) Name() string { return "Railway deployment logs (" + r.deployment + ")" }

const logSearchQuery = `query DeploymentLogs($deploymentId: String!, $filter: String, $limit: Int) {
  deploymentLogs(deploymentId: $deploymentId, filter: $filter, limit: $limit) { message severity timestamp }
}`

func (r railwayLogs) Search(ctx context.Context, text string) ([]string, error) {
	var d struct {
		Logs []railway.LogLine `json:"deploymentLogs"`
	}
	// quoted: Railway's filter syntax reads a bare "-" as NOT
	if err := r.c.Do(ctx, "DeploymentLogs", logSearchQuery, map[string]any{"deploymentId": r.deployment, "filter": `"` + text + `"`, "limit": 100}, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, l := range d.Logs {
		out = append(out, l.Message)
	}
	return out, nil
}

// sinkLogs searches an external sink: GET <url>?q=<text>, bearer token;
// JSON {"lines":[…]} (strings or objects) or NDJSON / plain text lines.
type sinkLogs struct {
	url, token string
	timeout    time.Duration
}

func (s sinkLogs) Name() string { return "log sink " + redactedHost(s.url) }

func redactedHost(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return "(bad URL)"
}

func (s sinkLogs) Search(ctx context.Context, text string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	u, err := url.Parse(s.url)
	if err != nil {
		return nil, check.Permanent(fmt.Errorf("%s: not a URL", config.LogQueryURL))
	}
	q := u.Query()
	q.Set("q", text)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, check.Permanent(err)
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("log sink GET %s: %v", u.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode == 401 || resp.StatusCode == 403 {
		return nil, check.Permanent(fmt.Errorf("log sink GET %s = %d (check %s)", u.Host, resp.StatusCode, config.LogQueryToken))
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("log sink GET %s = %d: %.200s", u.Host, resp.StatusCode, body)
	}
	var js struct {
		Lines []json.RawMessage `json:"lines"`
	}
	if json.Unmarshal(body, &js) == nil && js.Lines != nil {
		out := make([]string, 0, len(js.Lines))
		for _, l := range js.Lines {
			var s string
			if json.Unmarshal(l, &s) == nil {
				out = append(out, s)
			} else {
				out = append(out, string(l))
			}
		}
		return out, nil
	}
	return strings.Split(strings.TrimSpace(string(body)), "\n"), nil
}

// logStoreOf picks the external sink when configured, else Railway.
func logStoreOf(t check.T, env *target.Env) logStore {
	t.Helper()
	if env.Cfg.Get(config.LogQueryURL) != "" {
		return sinkLogs{url: env.Cfg.Get(config.LogQueryURL), token: env.Cfg.Get(config.LogQueryToken), timeout: env.Cfg.Duration(config.HTTPTimeout)}
	}
	check.Need(t, env.Cfg, config.RailwayToken, config.RailwayProjectID)
	ctx := check.Ctx(t, env.Cfg)
	c := railway.New(env.Cfg.Get(config.RailwayAPIURL), env.Cfg.Get(config.RailwayToken), env.Cfg.Duration(config.HTTPTimeout))
	tg, err := c.Resolve(ctx, env.Cfg.Get(config.RailwayProjectID), env.Cfg.Get(config.RailwayEnvironment), env.Cfg.Get(config.RailwayService))
	if err != nil {
		t.Fatalf("%v", err)
	}
	ds, err := c.Deployments(ctx, tg.Project.ID, tg.Environment.ID, tg.Service.ID, 10)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, d := range ds {
		if d.Status == "SUCCESS" {
			return railwayLogs{c: c, deployment: d.ID}
		}
	}
	t.Fatalf("Railway service %s has no SUCCESS deployment whose logs could hold the request", tg.Service.Name)
	return nil
}

// requestLogLine reports whether line is the §12.4 request log line of id.
func requestLogLine(line, id string) bool {
	var m map[string]any
	if json.Unmarshal([]byte(line), &m) == nil {
		return m["requestId"] == id
	}
	return strings.Contains(line, id)
}

// LogAggregation checks MON-6: Log aggregation (Railway logs → external if needed).
// A request tagged X-Request-Id: launchcheck-<runid>-… is findable in the
// log store (HUSTLEXP_LOG_QUERY_URL, else Railway deployment logs) within
// HUSTLEXP_LOG_DEADLINE; the delay is reported.
func LogAggregation(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	store := logStoreOf(t, env)
	var b [4]byte
	rand.Read(b[:])
	id := env.Tag() + "-mon6-" + hex.EncodeToString(b[:])
	ctx := check.Ctx(t, env.Cfg)
	rctx, cancel := context.WithTimeout(ctx, env.Cfg.Duration(config.HTTPTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, strings.TrimRight(env.Cfg.Get(config.BaseURL), "/")+"/health/liveness", nil)
	if err != nil {
		t.Fatalf("%s: %v", config.BaseURL, err)
	}
	req.Header.Set("X-Request-Id", id)
	sent := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /health/liveness: %v", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != id {
		t.Errorf("GET /health/liveness echoed X-Request-Id %q, want %q (§1): log lines cannot be correlated with requests", got, id)
	}
	var found string
	err = check.Poll(ctx, env.Cfg.Duration(config.LogDeadline), func(ctx context.Context) error {
		lines, err := store.Search(ctx, id)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if requestLogLine(l, id) {
				found = l
				return nil
			}
		}
		return fmt.Errorf("%d lines match, none is the request log line", len(lines))
	})
	if err != nil {
		t.Fatalf("request id %s never appeared in %s within %s (request logs not aggregated?): %v", id, store.Name(), env.Cfg.Duration(config.LogDeadline), err)
	}
	check.Evidence(t, "log_delay", ms(time.Since(sent)))
	check.Evidence(t, "log_store", store.Name())
	t.Logf("log line: %.200s", found)
}
