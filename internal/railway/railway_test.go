//go:build !prelaunch && !t0 && !day1 && !week1

package railway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/railway"
)

const rev = "0123456789abcdef0123456789abcdef01234567"

func TestClientAgainstFake(t *testing.T) {
	f := railwayfake.New(railwayfake.Options{Revision: rev, Variables: map[string]string{"NODE_ENV": "production"}, CustomDomain: "api.example.test"})
	defer f.Close()
	var project string
	f.View(func(s *railwayfake.State) { project = s.ProjectID })
	c := railway.New(f.URL, "rehearsal-railway-token", 5*time.Second)
	ctx := context.Background()
	tgt, err := c.Resolve(ctx, project, "production", "hustlexp-engine")
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Latest(ctx, tgt)
	if err != nil || d.Status != "SUCCESS" || d.CommitHash() != rev {
		t.Fatalf("latest = %+v, %v", d, err)
	}
	vars, err := c.Variables(ctx, project, tgt.Environment.ID, tgt.Service.ID)
	if err != nil || vars["NODE_ENV"] != "production" {
		t.Fatalf("variables = %v, %v", vars, err)
	}
	logs, err := c.DeploymentLogs(ctx, d.ID, 100)
	if err != nil || len(logs) == 0 {
		t.Fatalf("logs = %v, %v", logs, err)
	}
	doms, err := c.Domains(ctx, project, tgt.Environment.ID, tgt.Service.ID)
	if err != nil || len(doms.ServiceDomains) != 1 || doms.Targets["api.example.test"][0] != doms.ServiceDomains[0] {
		t.Fatalf("domains = %+v, %v", doms, err)
	}
	if _, err := c.Resolve(ctx, project, "prod-eu", "hustlexp-engine"); err == nil || !strings.Contains(err.Error(), "environments: production, staging") {
		t.Fatalf("missing environment: %v", err)
	}
}

func TestClientErrors(t *testing.T) {
	f := railwayfake.New(railwayfake.Options{Revision: rev})
	defer f.Close()
	ctx := context.Background()
	if _, err := railway.New(f.URL, "wrong", time.Second).Project(ctx, "x"); !railway.IsUnauthorized(err) {
		t.Fatalf("wrong token: %v", err)
	}
	f.Update(func(s *railwayfake.State) { s.GarbageBody = true })
	if _, err := railway.New(f.URL, "rehearsal-railway-token", time.Second).Project(ctx, "x"); err == nil || !strings.Contains(err.Error(), "not GraphQL JSON") {
		t.Fatalf("garbage body: %v", err)
	}
	if _, err := railway.New("http://127.0.0.1:1/graphql/v2", "t", time.Second).Project(ctx, "x"); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("unreachable: %v", err)
	}
	if err := railway.New(f.URL, "rehearsal-railway-token", time.Second).Do(ctx, "X", "query { nosuchfield }", nil, &struct{}{}); err == nil {
		t.Fatal("unknown field: want an error")
	}
}

func TestRootField(t *testing.T) {
	for q, want := range map[string]string{
		"query P($id: String!) { project(id: $id) { id } }":           "project",
		"# c\nquery { d: deployments(input: $i) { edges } }":          "deployments",
		"mutation R($id: String!) {\n deploymentRollback(id: $id)\n}": "deploymentRollback",
	} {
		if got, err := railwayfake.RootField(q); err != nil || got != want {
			t.Errorf("RootField(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
}
