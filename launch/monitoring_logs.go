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
	"regexp"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/target"
)

// logStore finds the request log line of a request id.
type logStore interface {
	Name() string
	// Search returns the lines that may be the request log line of id,
	// each as the JSON line the backend wrote or as it is stored.
	Search(ctx context.Context, id string) ([]logEntry, error)
}

// logEntry is a stored log line: Text as stored; Attrs the structured keys
// the store parsed out of it (Railway), nil when the store keeps raw lines.
type logEntry struct {
	Text  string
	Attrs map[string]string
}

// railwayLogs searches the deployment logs of the live Railway deployment.
type railwayLogs struct {
	c          *railway.Client
	deployment string
}

func (r railwayLogs) Name() string { return "Railway deployment logs (" + r.deployment + ")" }

// Search asks Railway for the entries whose requestId attribute is id:
// Railway turns the backend's JSON line into a message (its msg) plus one
// attribute per other key, so the id is an attribute, not message text.
func (r railwayLogs) Search(ctx context.Context, id string) ([]logEntry, error) {
	logs, err := r.c.SearchLogs(ctx, r.deployment, railway.AttributeFilter("requestId", id), 100)
	if err != nil {
		return nil, err
	}
	out := make([]logEntry, 0, len(logs))
	for _, l := range logs {
		e := logEntry{Text: l.Message, Attrs: map[string]string{}}
		for _, a := range l.Attributes {
			e.Attrs[a.Key], _ = l.Attr(a.Key)
		}
		out = append(out, e)
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

func (s sinkLogs) Search(ctx context.Context, text string) ([]logEntry, error) {
	lines, err := s.lines(ctx, text)
	out := make([]logEntry, len(lines))
	for i, l := range lines {
		out[i] = logEntry{Text: l}
	}
	return out, err
}

func (s sinkLogs) lines(ctx context.Context, text string) ([]string, error) {
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
	c := railwayClient(t, env)
	check.Need(t, env.Cfg, config.RailwayProjectID)
	ctx := check.Ctx(t, env.Cfg)
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

// pinoRequestLine is the message of the backend's request log line (§12.4):
// "<METHOD> <path> → <status> (<ms>ms)".
var pinoRequestLine = regexp.MustCompile(`\b[A-Z]+ /\S* → [1-5][0-9]{2} \([0-9]+(\.[0-9]+)?ms\)`)

// requestLogLine reports whether e is the §12.4 request log line of id: its
// requestId attribute (Railway), the requestId key of its JSON line (a sink
// keeping raw lines), or a text line of the Pino request shape
// "<METHOD> <path> → <status> (<ms>ms)" carrying id. A line that only
// mentions id (a sink's "no results for <id>") is not the request's line.
func requestLogLine(e logEntry, id string) bool {
	if e.Attrs != nil {
		return e.Attrs["requestId"] == id
	}
	var m map[string]any
	if json.Unmarshal([]byte(e.Text), &m) == nil {
		return m["requestId"] == id
	}
	return strings.Contains(e.Text, id) && pinoRequestLine.MatchString(e.Text)
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
	sent := time.Now()
	echoed, err := livenessWithRequestID(ctx, env, id)
	if err != nil {
		t.Fatalf("GET /health/liveness: %v", err)
	}
	if echoed != id {
		t.Errorf("GET /health/liveness echoed X-Request-Id %q, want %q (§1): log lines cannot be correlated with requests", echoed, id)
	}
	var found logEntry
	err = check.PollFor(ctx, config.LogDeadline, env.Cfg.Duration(config.LogDeadline), func(ctx context.Context) error {
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
		if len(lines) > 0 {
			return fmt.Errorf("%d lines match, none is the request log line (JSON with requestId, or \"<METHOD> <path> → <status> (<ms>ms)\" with the id), e.g. %.120q", len(lines), lines[0].Text)
		}
		return fmt.Errorf("no line matches")
	})
	if err != nil {
		t.Fatalf("request id %s never appeared in %s within %s (request logs not aggregated?): %v", id, store.Name(), env.Cfg.Duration(config.LogDeadline), err)
	}
	check.Evidence(t, "log_delay", ms(time.Since(sent)))
	check.Evidence(t, "log_store", store.Name())
	t.Logf("log line: %.200s", found.Text)
}

// livenessWithRequestID sends GET /health/liveness tagged X-Request-Id: id
// and returns the X-Request-Id the backend answered with.
func livenessWithRequestID(ctx context.Context, env *target.Env, id string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, env.Cfg.Duration(config.HTTPTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(env.Cfg.Get(config.BaseURL), "/")+"/health/liveness", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Request-Id", id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.Header.Get("X-Request-Id"), nil
}
