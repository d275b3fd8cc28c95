//go:build !prelaunch && !t0 && !day1 && !week1

package railway_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/specs"
)

const rev = "0123456789abcdef0123456789abcdef01234567"

// project is the rehearsal's project token (Project-Access-Token).
func project(url string) *railway.Client {
	return railway.NewProject(url, "rehearsal-railway-token", 5*time.Second)
}

func TestClientAgainstFake(t *testing.T) {
	f := railwayfake.Run(t, func(o *railwayfake.Options) {
		*o = railwayfake.Options{Revision: rev, Variables: map[string]string{"NODE_ENV": "production"}, CustomDomain: "api.example.test"}
	})
	var pid string
	f.View(func(s *railwayfake.State) { pid = s.ProjectID })
	c := project(f.URL)
	ctx := context.Background()
	tgt, err := c.Resolve(ctx, pid, "production", "hustlexp-engine")
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Latest(ctx, tgt)
	if err != nil || d.Status != "SUCCESS" || d.CommitHash() != rev {
		t.Fatalf("latest = %+v, %v", d, err)
	}
	vars, err := c.Variables(ctx, pid, tgt.Environment.ID, tgt.Service.ID)
	if err != nil || vars["NODE_ENV"] != "production" {
		t.Fatalf("variables = %v, %v", vars, err)
	}
	logs, err := c.DeploymentLogs(ctx, d.ID, 100)
	if err != nil || len(logs) == 0 {
		t.Fatalf("logs = %v, %v", logs, err)
	}
	doms, err := c.Domains(ctx, pid, tgt.Environment.ID, tgt.Service.ID)
	if err != nil || len(doms.ServiceDomains) != 1 || doms.Targets["api.example.test"][0] != doms.ServiceDomains[0] {
		t.Fatalf("domains = %+v, %v", doms, err)
	}
	if _, err := c.Resolve(ctx, pid, "prod-eu", "hustlexp-engine"); err == nil || !strings.Contains(err.Error(), "environments: production, staging") {
		t.Fatalf("missing environment: %v", err)
	}
	if ok, why := f.Validating(); ok {
		if r := f.Rejected(); len(r) > 0 {
			t.Fatalf("the fake rejected documents of the client: %v", r)
		}
	} else {
		t.Logf("fake not validating against Railway's schema: %v", why)
	}
}

// Railway's convention: RAILWAY_TOKEN is a project token sent as
// Project-Access-Token, RAILWAY_API_TOKEN an account/team token sent as a
// bearer; each is accepted only in its own header.
func TestTokensGoInTheirOwnHeader(t *testing.T) {
	f := railwayfake.Run(t, func(o *railwayfake.Options) {
		*o = railwayfake.Options{Revision: rev, Token: "proj-tok", APIToken: "acct-tok"}
	})
	var pid string
	f.View(func(s *railwayfake.State) { pid = s.ProjectID })
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		c      *railway.Client
		wantOK bool
	}{
		{"project token as Project-Access-Token", railway.NewProject(f.URL, "proj-tok", time.Second), true},
		{"account token as bearer", railway.New(f.URL, "acct-tok", time.Second), true},
		{"project token as bearer (the old client)", railway.New(f.URL, "proj-tok", time.Second), false},
		{"account token as Project-Access-Token", railway.NewProject(f.URL, "acct-tok", time.Second), false},
	} {
		_, err := tc.c.Project(ctx, pid)
		if tc.wantOK && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.wantOK && !railway.IsUnauthorized(err) {
			t.Errorf("%s: want Not Authorized, got %v", tc.name, err)
		}
	}
	c, ok := railway.ForTokens(f.URL, "proj-tok", "acct-tok", time.Second)
	if !ok || !c.ProjectToken {
		t.Fatalf("both set: the project token must win (Railway CLI order), got %+v", c)
	}
	if c, ok := railway.ForTokens(f.URL, "", "acct-tok", time.Second); !ok || c.ProjectToken {
		t.Fatalf("only RAILWAY_API_TOKEN: want a bearer client, got %+v", c)
	}
	if _, ok := railway.ForTokens(f.URL, "", "", time.Second); ok {
		t.Fatal("no token: want ok=false")
	}
}

func TestClientErrors(t *testing.T) {
	f := railwayfake.Run(t, func(o *railwayfake.Options) { *o = railwayfake.Options{Revision: rev} })
	ctx := context.Background()
	if _, err := railway.NewProject(f.URL, "wrong", time.Second).Project(ctx, "x"); !railway.IsUnauthorized(err) {
		t.Fatalf("wrong token: %v", err)
	}
	if err := project(f.URL).Do(ctx, "X", "query X { nosuchfield }", nil, &struct{}{}); err == nil || !strings.Contains(err.Error(), `Cannot query field "nosuchfield" on type "Query"`) {
		t.Fatalf("unknown field: want Railway's validation error, got %v", err)
	}
	f.Update(func(s *railwayfake.State) { s.GarbageBody = true })
	if _, err := project(f.URL).Project(ctx, "x"); err == nil || !strings.Contains(err.Error(), "not GraphQL JSON") {
		t.Fatalf("garbage body: %v", err)
	}
	if _, err := railway.New("http://127.0.0.1:1/graphql/v2", "t", time.Second).Project(ctx, "x"); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("unreachable: %v", err)
	}
}

func schemaOrSkip(t *testing.T) {
	t.Helper()
	if _, err := railwayfake.Schema(); err != nil {
		if errors.Is(err, specs.ErrAbsent) {
			t.Skipf("Railway's published schema is not available, cannot validate: %v", err)
		}
		t.Fatal(err)
	}
}

// Every document the client can send is valid against Railway's published
// schema (independent of the fake).
func TestEveryDocumentValidAgainstRailwaySchema(t *testing.T) {
	schemaOrSkip(t)
	s, _ := railwayfake.Schema()
	docs := railway.Documents()
	if len(docs) < 7 {
		t.Fatalf("only %d documents listed", len(docs))
	}
	for name, doc := range docs {
		q, errs := railwayfake.Validate(s, doc)
		if len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if q.Operations.ForName(name) == nil {
			t.Errorf("%s: the document's operation is not named %s", name, name)
		}
	}
	// the validator does reject what Railway rejects
	for doc, want := range map[string]string{
		`query { deploymentLogs(deploymentId: "d") { message connect } }`:      `Cannot query field "connect" on type "Log"`,
		`query { deploymentLogs(deploymentId: "d") { message attributes } }`:   `must have a selection of subfields`,
		`query Q($id: Int!) { project(id: $id) { id } }`:                       `Variable "$id" of type "Int!" used in position expecting type "String!"`,
		`query { variables(projectId: "p", environmentId: "e") { NODE_ENV } }`: `must not have a selection since type "EnvironmentVariables" has no subfields`,
	} {
		_, errs := railwayfake.Validate(s, doc)
		if !strings.Contains(strings.Join(errs, "; "), want) {
			t.Errorf("%s: errors %v, want %q", doc, errs, want)
		}
	}
}

// The fake answers only the selected fields, with aliases, and rejects an
// unknown field with Railway's error shape.
func TestFakeAnswersOnlySelectedFields(t *testing.T) {
	schemaOrSkip(t)
	f := railwayfake.Run(t, func(o *railwayfake.Options) { *o = railwayfake.Options{Revision: rev} })
	var pid string
	f.View(func(s *railwayfake.State) { pid = s.ProjectID })
	var d map[string]any
	err := project(f.URL).Do(context.Background(), "P", `query P($id: String!) { p: project(id: $id) { name } }`, map[string]any{"id": pid}, &d)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	if string(b) != `{"p":{"name":"hustlexp"}}` {
		t.Fatalf("data = %s, want only the selected field under its alias", b)
	}
	err = project(f.URL).Do(context.Background(), "P", `query P($id: String!) { project(id: $id) { id connect } }`, map[string]any{"id": pid}, &d)
	if err == nil || !strings.Contains(err.Error(), `Cannot query field "connect" on type "Project"`) {
		t.Fatalf("unknown field: %v", err)
	}
	err = project(f.URL).Do(context.Background(), "P", `query P($id: String!) { project(id: $id) { id } }`, map[string]any{}, &d)
	if err == nil || !strings.Contains(err.Error(), "id") {
		t.Fatalf("missing required variable: %v", err)
	}
}

// MON-6's real shape: Railway turns the backend's JSON line into message
// (its msg) + attributes; the id is found with @requestId:<id>, and a search
// of the message text (the old check) does not find it.
func TestLogAttributesAndFilter(t *testing.T) {
	f := railwayfake.Run(t, func(o *railwayfake.Options) { *o = railwayfake.Options{Revision: rev} })
	id := "launchcheck-run1-mon6-abcd"
	var dep string
	now := time.Now().Add(-time.Minute)
	f.Update(func(s *railwayfake.State) {
		d := s.Deployments[1]
		dep = d.ID
		d.Logs = append(d.Logs,
			railwayfake.Normalize(`{"level":30,"time":1,"requestId":"`+id+`","status":200,"msg":"GET /health/liveness → 200 (1ms)"}`, railwayfake.Stdout, now),
			railwayfake.Normalize("plain failure "+id, railwayfake.Stderr, now))
	})
	got := f.Calls("deploymentLogs")
	_ = got
	logs, err := project(f.URL).SearchLogs(context.Background(), dep, railway.AttributeFilter("requestId", id), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("@requestId filter: %d entries, want 1: %+v", len(logs), logs)
	}
	l := logs[0]
	if v, ok := l.Attr("requestId"); !ok || v != id {
		t.Fatalf("requestId attribute = %q, %v", v, ok)
	}
	if l.Message != "GET /health/liveness → 200 (1ms)" || l.Severity != "30" || strings.Contains(l.Message, id) {
		t.Fatalf("JSON line not normalised as Railway does: %+v", l)
	}
	// the old check: quoted id in the message → only the plain line, never the request line
	old, err := project(f.URL).SearchLogs(context.Background(), dep, `"`+id+`"`, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range old {
		if strings.HasPrefix(o.Message, "{") {
			t.Fatalf("message search found a raw JSON line: the fake does not normalise: %+v", o)
		}
	}
	if len(old) != 1 || old[0].Severity != "error" || len(old[0].Attributes) != 0 {
		t.Fatalf("plain stderr line: %+v, want message only, severity error", old)
	}
}

// Railway's docs do not say how a sealed variable shows in `variables`:
// omitted, null and masked are all sealed, and a placeholder never becomes
// a value.
func TestSealedVariablesEveryShape(t *testing.T) {
	for _, mode := range []string{railwayfake.SealedOmitted, railwayfake.SealedNull, railwayfake.SealedMasked} {
		t.Run("sealed="+mode, func(t *testing.T) {
			f := railwayfake.Run(t, func(o *railwayfake.Options) {
				*o = railwayfake.Options{Revision: rev, Variables: map[string]string{"NODE_ENV": "production", "STRIPE_SECRET_KEY": "sk_live_x"}}
			})
			var pid, env, svc string
			f.Update(func(s *railwayfake.State) {
				pid, env, svc = s.ProjectID, s.Environments[0].ID, s.Services[0].ID
				s.Sealed = map[string]map[string]bool{railwayfake.VarsKey(env, svc): {"STRIPE_SECRET_KEY": true}}
				s.SealedAs = mode
			})
			vals, sealed, sealedErr, err := project(f.URL).VariablesSealed(context.Background(), pid, env, svc)
			if err != nil || sealedErr != nil {
				t.Fatal(err, sealedErr)
			}
			if _, ok := vals["STRIPE_SECRET_KEY"]; ok || !sealed["STRIPE_SECRET_KEY"] || vals["NODE_ENV"] != "production" {
				t.Fatalf("vals has key: %v, sealed = %v", ok, sealed)
			}
			// without the isSealed flags, null and masked are still sealed
			plain, err := project(f.URL).Variables(context.Background(), pid, env, svc)
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := plain["STRIPE_SECRET_KEY"]; ok {
				t.Fatalf("Variables parsed the sealed placeholder %q as a value", v)
			}
		})
	}
	for v, want := range map[string]bool{"*******": true, "•••": true, "<sealed>": true, "sk_live_abc": false, "**": false, "": false} {
		if railway.Masked(v) != want {
			t.Errorf("Masked(%q) = %v, want %v", v, !want, want)
		}
	}
}
