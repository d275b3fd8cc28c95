//go:build !prelaunch && !t0 && !day1 && !week1

package alertmanager_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/specs"
	"github.com/hustlexp/launchcheck/internal/specs/oascheck"
)

// Every request the Alertmanager client sends and every answer the fake
// gives (status, alerts, posting alerts, receivers, silences) is valid
// against Alertmanager's published API v2 description (Swagger 2.0,
// converted with openapi2conv), with no undeclared response field.
func TestClientAndFakeAgainstAlertmanagerOpenAPI(t *testing.T) {
	doc, err := oascheck.LoadSwagger2(specs.AlertmanagerOpenAPI)
	if errors.Is(err, specs.ErrAbsent) {
		t.Skipf("Alertmanager's OpenAPI description is not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := alertmanagerfake.Run(t)
	chk, err := oascheck.New(doc, f.URL+"/api/v2")
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: chk.Transport(nil), Timeout: 5 * time.Second}
	c := alertmanager.New(f.URL, "", 5*time.Second)
	c.HTTP = hc
	ctx := context.Background()
	if _, err := c.Status(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := c.PostAlerts(ctx, []alertmanager.PostableAlert{{Labels: map[string]string{"alertname": "LaunchcheckProbe", "severity": "critical", "launchcheck_run": "spec"},
		Annotations: map[string]string{"summary": "spec test"}, StartsAt: now, EndsAt: now.Add(5 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	as, err := c.Alerts(ctx)
	if err != nil || len(as) == 0 {
		t.Fatalf("alerts = %v, %v", as, err)
	}
	// one silence of each state: active (a matcher of each kind), pending, expired
	neq := false
	f.SetSilence(alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "critical"}, {Name: "alertname", Value: "HustleXP.*", IsRegex: true},
		{Name: "env", Value: "staging", IsEqual: &neq}}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(30 * 24 * time.Hour), CreatedBy: "oncall@hustlexp.invalid", Comment: "spec test"})
	f.SetSilence(alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "warning"}}, StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour), CreatedBy: "ops", Comment: "pending"})
	f.SetSilence(alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "info"}}, StartsAt: now.Add(-2 * time.Hour), EndsAt: now.Add(-time.Hour), CreatedBy: "ops", Comment: "expired"})
	ss, err := c.Silences(ctx)
	if err != nil || len(ss) != 3 {
		t.Fatalf("silences = %v, %v", ss, err)
	}
	states := map[string]bool{}
	for _, s := range ss {
		states[s.Status.State] = s.Active(now)
	}
	if len(states) != 3 || !states["active"] || states["pending"] || states["expired"] {
		t.Errorf("silence states (state → Active) = %v, want active, pending, expired with only the first active", states)
	}
	for _, p := range []string{"/api/v2/receivers", "/api/v2/silences?active=true&expired=false&pending=false"} {
		resp, err := hc.Get(f.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, e := range chk.Errors() {
		t.Error(e)
	}
	seen := chk.Seen()
	for _, op := range []string{"GET /status", "GET /alerts", "POST /alerts", "GET /receivers", "GET /silences"} {
		if seen[op] == 0 {
			t.Errorf("%s was never validated (seen %v)", op, seen)
		}
	}
}
