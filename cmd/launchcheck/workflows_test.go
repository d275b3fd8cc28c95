//go:build !prelaunch && !t0 && !day1 && !week1

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
)

type workflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		TimeoutMinutes any               `yaml:"timeout-minutes"`
		Environment    any               `yaml:"environment"`
		Permissions    map[string]string `yaml:"permissions"`
		Env            map[string]string `yaml:"env"`
		Steps          []struct {
			Uses string `yaml:"uses"`
			Run  string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func loadWorkflow(t *testing.T, name string) (*workflow, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), ".github", "workflows", name))
	if err != nil {
		t.Fatalf("workflow %s: %v", name, err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s is not YAML: %v", name, err)
	}
	return &w, string(data)
}

var pinned = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)

// TestWorkflowsHardened: read-only token, a timeout on every job, every
// action pinned by full commit SHA.
func TestWorkflowsHardened(t *testing.T) {
	for _, name := range []string{"ci.yml", "launch-gate.yml", "nightly.yml"} {
		w, _ := loadWorkflow(t, name)
		if len(w.Permissions) != 1 || w.Permissions["contents"] != "read" {
			t.Errorf("%s: top-level permissions %v, want exactly contents: read", name, w.Permissions)
		}
		if len(w.Jobs) == 0 {
			t.Errorf("%s: no jobs", name)
		}
		for jn, j := range w.Jobs {
			if j.TimeoutMinutes == nil {
				t.Errorf("%s job %s: no timeout-minutes", name, jn)
			}
			for k, v := range j.Permissions {
				if v != "read" {
					t.Errorf("%s job %s: permission %s: %s, want read", name, jn, k, v)
				}
			}
			for _, s := range j.Steps {
				if s.Uses != "" && !pinned.MatchString(s.Uses) {
					t.Errorf("%s job %s: %q is not pinned by a full commit SHA", name, jn, s.Uses)
				}
			}
		}
	}
}

// TestWorkflowEnvMatchesRegistry: the gate and the nightly hand every
// variable their rows need to the run, secrets only from `secrets.*`.
func TestWorkflowEnvMatchesRegistry(t *testing.T) {
	for name, phases := range map[string]string{"launch-gate.yml": "t0", "nightly.yml": "day1,week1"} {
		_, text := loadWorkflow(t, name)
		begin := "# env:begin " + phases
		i := strings.Index(text, begin)
		j := strings.Index(text, "# env:end")
		if i < 0 || j < i {
			t.Fatalf("%s: markers %q … # env:end missing", name, begin)
		}
		block := text[i:j]
		block = block[strings.IndexByte(block, '\n')+1:]
		lines := strings.Split(strings.TrimRight(block, " \n"), "\n")
		indent := ""
		if len(lines) > 0 {
			indent = lines[0][:len(lines[0])-len(strings.TrimLeft(lines[0], " "))]
		}
		ps, _ := report.ParsePhases(phases)
		want := EnvGitHub(ps, indent)
		if strings.TrimRight(block, " \n") != strings.TrimRight(want, "\n") {
			t.Errorf("%s: env block out of date; replace it with the output of\n  go run ./cmd/launchcheck env --github %s | sed 's/^/    /'\nwant:\n%s", name, phases, want)
		}
		for _, v := range config.Vars() {
			if (v.Secret || v.Kind == config.KindDSN) && strings.Contains(text, "vars."+v.Name+" ") {
				t.Errorf("%s: %s holds a secret but comes from vars.*", name, v.Name)
			}
		}
	}
}

// TestLaunchGateCannotPassEmpty: the gate runs the t0 tag, renders the t0
// verdict, fails on NO-GO and on zero rows, and uses the protected environment.
func TestLaunchGateCannotPassEmpty(t *testing.T) {
	w, text := loadWorkflow(t, "launch-gate.yml")
	for _, want := range []string{"-tags t0", "report --phase t0", ".rows_ran", `"$verdict" != "GO"`, "--junit", "--md", "--json", "workflow_dispatch", "workflow_call", "grafana/setup-k6-action@"} {
		if !strings.Contains(text, want) {
			t.Errorf("launch-gate.yml lacks %q", want)
		}
	}
	if w.Jobs["gate"].Environment == nil {
		t.Error("launch-gate.yml: the gate job must run in a protected environment")
	}
	_, nightly := loadWorkflow(t, "nightly.yml")
	for _, want := range []string{"schedule:", "-tags 'day1 week1'", "launchcheck\" diff", "upload-artifact@"} {
		if !strings.Contains(nightly, want) {
			t.Errorf("nightly.yml lacks %q", want)
		}
	}
	_, ci := loadWorkflow(t, "ci.yml")
	for _, want := range []string{"pull_request", "make test", "make vet"} {
		if !strings.Contains(ci, want) {
			t.Errorf("ci.yml lacks %q", want)
		}
	}
	if strings.Contains(ci, "secrets.") {
		t.Error("ci.yml must run without secrets")
	}
}

// TestActionlint lints the workflows when actionlint is installed
// (go install github.com/rhysd/actionlint/cmd/actionlint@latest).
func TestActionlint(t *testing.T) {
	bin := ""
	if cfg, err := config.FromEnv(); err == nil && cfg.Get(config.ActionlintPath) != "" {
		bin = cfg.Get(config.ActionlintPath)
	} else if p, err := exec.LookPath("actionlint"); err == nil {
		bin = p
	} else if home, err := os.UserHomeDir(); err == nil {
		if _, err := os.Stat(filepath.Join(home, "go", "bin", "actionlint")); err == nil {
			bin = filepath.Join(home, "go", "bin", "actionlint")
		}
	}
	if bin == "" {
		t.Skip("actionlint not installed (go install github.com/rhysd/actionlint/cmd/actionlint@latest): workflows not linted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.yml"))
	cmd := exec.CommandContext(ctx, bin, append([]string{"-no-color"}, files...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out.String())
	}
}
