//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"encoding/json"
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/fakes/logsinkfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// SEC-2 judges startup from the latest deployment's logs: a deployment
// whose logs Railway returns empty (past retention, or not the deployment
// that booted) proves nothing and is unverified, naming the deployment.
func TestSelfSEC2EmptyDeploymentLogs(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, env) })
	t.Run("fault=Railway returns no log lines for the deployment", func(t *testing.T) {
		rw := w.Railway
		var prev []railwayfake.LogLine
		var id string
		rw.Update(func(s *railwayfake.State) { d := latestProd(s); id, prev, d.Logs = d.ID, d.Logs, nil })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { latestProd(s).Logs = prev }) })
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.ValidateConfigOnStartup(ct, env) },
			"SEC-2 Railway returned no log lines for deployment "+id, "its startup cannot be judged")
		if r.Status() != "unverified" {
			t.Errorf("status %s, want unverified", r.Status())
		}
	})
}

// MON-6 with an external sink counts only the backend's request log line
// of the id (§12.4), never a line that merely mentions it.
func TestSelfMON6SinkRequestLineOnly(t *testing.T) {
	w, env := harness.World(t)
	si := w.Standin
	t.Run("Pino text lines carrying the id pass", func(t *testing.T) {
		// pino-pretty's shape (captures): the message, then the requestId key.
		text := func() []string {
			var out []string
			for _, l := range si.Logs() {
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil {
					out = append(out, "INFO: "+m["msg"].(string)+` requestId: "`+m["requestId"].(string)+`"`)
				}
			}
			return out
		}
		sink := logsinkfake.New("sink-token", text)
		t.Cleanup(sink.Close)
		ext := env.MustWith(map[string]string{config.LogQueryURL: sink.URL, config.LogQueryToken: "sink-token"})
		checktest.MustPass(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, ext) })
	})
	t.Run(`fault=sink answers {"lines":["no results for <id>"]}`, func(t *testing.T) {
		sink := logsinkfake.New("sink-token", si.Logs)
		t.Cleanup(sink.Close)
		sink.SetNoResultsLine(true)
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.DropLogs = true }))
		ext := env.MustWith(map[string]string{config.LogQueryURL: sink.URL, config.LogQueryToken: "sink-token", config.LogDeadline: "2s"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, ext) },
			"never appeared in log sink", "1 lines match, none is the request log line", "no results for ")
	})
}

// MON-3/MON-4 probe the routes of the rule file's alerts: a rule file read
// from HUSTLEXP_REPO_DIR must be a checkout of the deployed revision.
func TestSelfMON3MON4ProbeLabelsCheckoutTied(t *testing.T) {
	_, env := harness.World(t)
	plain := plainOpsCopy(t, env)
	other := "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		row string
		fn  func(check.T, *target.Env)
	}{
		{"MON-3", launch.PagerDutyForP0},
		{"MON-4", launch.SlackForP1P2},
	} {
		tied := env.MustWith(map[string]string{config.AlertRulesFile: "", config.RepoDir: plain})
		t.Run(c.row+" rule file from a checkout of the deployed revision", func(t *testing.T) {
			checktest.MustPass(t, monTimeout, func(ct check.T) { c.fn(ct, tied) })
		})
		t.Run("fault=checkout at another revision "+c.row, func(t *testing.T) {
			bad := tied.MustWith(map[string]string{config.RepoRevision: other})
			r := checktest.MustFail(t, monTimeout, func(ct check.T) { c.fn(ct, bad) },
				c.row+" routing probes ("+launch.AlertRulesPath+")", "is at "+other+" but the deployment runs "+standin.Revision)
			if r.Status() != "unverified" {
				t.Errorf("%s: status %s, want unverified", c.row, r.Status())
			}
		})
	}
}
