//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

const coTimeout = 30 * time.Second

// gitRun runs git in dir with a fixed identity (the test's own repository).
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=launchcheck", "GIT_AUTHOR_EMAIL=launchcheck@example.invalid",
		"GIT_COMMITTER_NAME=launchcheck", "GIT_COMMITTER_EMAIL=launchcheck@example.invalid", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// plainOpsCopy is a copy of the backend's alert rule file in a plain
// directory laid out like the repo (no git), for HUSTLEXP_REPO_DIR faults.
func plainOpsCopy(t *testing.T, env *target.Env) string {
	t.Helper()
	rules, err := os.ReadFile(env.Cfg.Get(config.AlertRulesFile))
	if err != nil {
		t.Fatal(err)
	}
	plain := t.TempDir()
	if err := os.MkdirAll(filepath.Join(plain, "ops", "alerts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plain, filepath.FromSlash(launch.AlertRulesPath)), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	return plain
}

// TestSelfCheckoutTiedToDeployedRevision: SEC-2, DB-1, MON-1 and MON-2 judge
// files of HUSTLEXP_REPO_DIR only from a clean checkout of the revision the
// deployment runs (/health build.revision); anything else is unverified.
func TestSelfCheckoutTiedToDeployedRevision(t *testing.T) {
	w, env := harness.World(t)
	plain := plainOpsCopy(t, env)
	mon2 := func(e *target.Env) func(check.T) { return func(ct check.T) { launch.AlertRuleFileParses(ct, e) } }
	fromRepo := func(dir string, kv map[string]string) *target.Env {
		m := map[string]string{config.AlertRulesFile: "", config.RepoDir: dir}
		for k, v := range kv {
			m[k] = v
		}
		return env.MustWith(m)
	}

	t.Run("rehearsal: the world declares its embedded files' revision", func(t *testing.T) {
		r := checktest.MustPass(t, coTimeout, mon2(fromRepo(plain, nil)))
		if ev := r.Attrs[check.AttrEvidence+"checkout_revision"]; !strings.Contains(ev, standin.Revision) {
			t.Errorf("checkout_revision evidence %q does not name %s", ev, standin.Revision)
		}
	})

	other := "0123456789abcdef0123456789abcdef01234567"
	want := "is at " + other + " but the deployment runs " + standin.Revision
	for _, c := range []struct {
		row string
		fn  func(check.T, *target.Env)
		kv  map[string]string
	}{
		{"SEC-2", launch.ValidateConfigOnStartup, map[string]string{config.ServerFile: ""}},
		{"DB-1", launch.MigrationsApplied, map[string]string{config.ExpectedMigrations: ""}},
		{"MON-1", launch.DashboardImported, map[string]string{config.DashboardFile: ""}},
		{"MON-2", launch.AlertRuleFileParses, nil},
	} {
		t.Run("fault=checkout at another revision "+c.row, func(t *testing.T) {
			kv := map[string]string{config.RepoRevision: other}
			for k, v := range c.kv {
				kv[k] = v
			}
			e := fromRepo(plain, kv)
			r := checktest.MustFail(t, coTimeout, func(ct check.T) { c.fn(ct, e) }, want)
			if r.Status() != "unverified" {
				t.Errorf("%s: status %s, want unverified", c.row, r.Status())
			}
		})
	}

	// Live runs read the checkout with git; a declared revision is ignored.
	live := func(dir string, kv map[string]string) *target.Env {
		m := map[string]string{config.HustlexpTarget: "staging"}
		for k, v := range kv {
			m[k] = v
		}
		return fromRepo(dir, m)
	}
	t.Run("fault=plain copy without git (live)", func(t *testing.T) {
		checktest.MustFail(t, coTimeout, mon2(live(plain, nil)), config.RepoDir+" "+plain+" is not a git checkout", "cannot be tied to the deployed build")
	})

	repo := plainOpsCopy(t, env)
	gitRun(t, repo, "init", "-q")
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-q", "-m", "ops")
	head := gitRun(t, repo, "rev-parse", "HEAD")

	t.Run("fault=git checkout of another revision (live)", func(t *testing.T) {
		r := checktest.MustFail(t, coTimeout, mon2(live(repo, nil)), "is at "+head+" but the deployment runs "+standin.Revision)
		if ev := r.Attrs[check.AttrEvidence+"checkout_revision"]; !strings.Contains(ev, head) {
			t.Errorf("checkout_revision evidence %q does not name HEAD %s", ev, head)
		}
	})
	t.Run("git checkout of the deployed revision (live)", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.BuildRevision = head }))
		checktest.MustPass(t, coTimeout, mon2(live(repo, nil)))
	})
	t.Run("fault=deployed revision unattributed (live)", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.BuildRevision = "unattributed" }))
		checktest.MustFail(t, coTimeout, mon2(live(repo, nil)), `/health reports build.revision "unattributed", not a 40-hex SHA`)
	})
	t.Run("fault=API unreachable (live)", func(t *testing.T) {
		checktest.MustFail(t, coTimeout, mon2(live(repo, map[string]string{config.BaseURL: "http://" + checktest.ClosedPort(t)})), "the deployed revision cannot be read")
	})
	t.Run("fault=base URL not set (live)", func(t *testing.T) {
		checktest.MustFail(t, coTimeout, mon2(live(repo, map[string]string{config.BaseURL: ""})), config.BaseURL+" not set: the deployed revision")
	})
	t.Run("fault=dirty tree (live)", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.BuildRevision = head }))
		p := filepath.Join(repo, filepath.FromSlash(launch.AlertRulesPath))
		rules, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(append([]byte(nil), rules...), "\n# local edit\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(p, rules, 0o644) })
		checktest.MustFail(t, coTimeout, mon2(live(repo, nil)), "has uncommitted changes (1 paths, e.g. M "+launch.AlertRulesPath+")")
	})
	t.Run("fault=corrupt git index (live)", func(t *testing.T) {
		idx := filepath.Join(repo, ".git", "index")
		saved, err := os.ReadFile(idx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(idx, []byte("garbage, not an index"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(idx, saved, 0o644) })
		checktest.MustFail(t, coTimeout, mon2(live(repo, nil)), "git status in "+config.RepoDir, "cannot tell whether the checkout is clean")
	})
}
