//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

// Failure coverage of the Infrastructure rows, DB-3 and DB-5 (issue 13): the
// provider calls after the first one each fail on their own, and the states
// of the provider a row must refuse.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// railwayOpFails answers one Railway GraphQL operation the way Railway
// reports a failure (HTTP 200, data null, errors[]); every other operation
// reaches the rehearsal's Railway.
func railwayOpFails(t *testing.T, env *target.Env, op, msg string) *target.Env {
	t.Helper()
	return checktest.FailFront(t, env, config.RailwayAPIURL, func(_ *http.Request, body []byte) bool {
		var req struct {
			OperationName string `json:"operationName"`
		}
		return json.Unmarshal(body, &req) == nil && req.OperationName == op
	}, http.StatusOK, fmt.Sprintf(`{"data":null,"errors":[{"message":%q,"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`, msg))
}

// pathFails answers the requests whose path ends with suffix with status
// and body; every other request reaches the service behind baseVar.
func pathFails(t *testing.T, env *target.Env, baseVar, suffix string, status int, body string) *target.Env {
	t.Helper()
	return checktest.FailFront(t, env, baseVar, func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, suffix) }, status, body)
}

const (
	railwayProblem = "Problem processing request"
	neon500        = `{"code":"","message":"internal server error"}`
	// a token with Zone:Read but without DNS:Read
	cfNoDNSRead = `{"success":false,"errors":[{"code":9109,"message":"Unauthorized to access requested resource"}],"messages":[],"result":null}`
)

func TestSelfINF1Faults(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=Railway deployments query fails", func(t *testing.T) {
		bad := railwayOpFails(t, env, "Deployments", railwayProblem)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, bad) }, "railway Deployments: "+railwayProblem)
	})
	t.Run("fault=API down while Railway says SUCCESS", func(t *testing.T) {
		dead := checktest.ClosedPort(t)
		bad := env.MustWith(map[string]string{config.BaseURL: "http://" + dead})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, bad) }, "/health", dead)
	})
}

func TestSelfINF2Faults(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=Neon branches list fails", func(t *testing.T) {
		bad := pathFails(t, env, config.NeonAPIURL, "/branches", http.StatusInternalServerError, neon500)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, "Neon branches of", "= 500: internal server error")
	})
	t.Run("fault=Neon endpoints list fails", func(t *testing.T) {
		bad := pathFails(t, env, config.NeonAPIURL, "/endpoints", http.StatusInternalServerError, neon500)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, "Neon endpoints of", "= 500: internal server error")
	})
	// The host is the project's endpoint, but the database the URL names
	// is not on it (renamed, or a typo in the variable).
	t.Run("fault=database does not exist on the endpoint", func(t *testing.T) {
		u, err := url.Parse(env.Cfg.Get(config.DatabaseURL))
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/hustlexp_renamed"
		bad := env.MustWith(map[string]string{config.DatabaseURL: u.String()})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.NeonProvisioned(ct, bad) }, "connect with "+config.DatabaseURL+" ("+u.Hostname()+")", `database "hustlexp_renamed" does not exist`)
	})
}

// removeRecord deletes the API host's DNS record from Cloudflare for the test.
func removeRecord(t *testing.T, cf *cloudflarefake.Fake, host string) {
	t.Helper()
	var saved map[string][]*cloudflarefake.Record
	cf.Update(func(s *cloudflarefake.State) {
		saved = map[string][]*cloudflarefake.Record{}
		for z, rs := range s.Records {
			saved[z] = rs
			var keep []*cloudflarefake.Record
			for _, r := range rs {
				if !strings.EqualFold(r.Name, host) {
					keep = append(keep, r)
				}
			}
			s.Records[z] = keep
		}
	})
	t.Cleanup(func() { cf.Update(func(s *cloudflarefake.State) { s.Records = saved }) })
}

func TestSelfINF5Faults(t *testing.T) {
	w, env := harness.World(t)
	host := env.Cfg.Get(config.APIHost)
	t.Run("fault=token cannot read DNS records", func(t *testing.T) {
		bad := pathFails(t, env, config.CloudflareAPIURL, "/dns_records", http.StatusForbidden, cfNoDNSRead)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, bad) }, "cloudflare: list DNS records name="+host, "Unauthorized to access requested resource")
	})
	t.Run("fault=no DNS record for the API host", func(t *testing.T) {
		removeRecord(t, w.Cloudflare, host)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, env) }, "Cloudflare zone "+env.Cfg.Get(config.CloudflareZone)+" has no DNS record for "+host)
	})
	t.Run("fault=Railway domains query fails", func(t *testing.T) {
		bad := railwayOpFails(t, env, "Domains", railwayProblem)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, bad) }, "Railway domains of hustlexp-engine: railway Domains: "+railwayProblem)
	})
}

func TestSelfINF6Faults(t *testing.T) {
	w, env := harness.World(t)
	host := env.Cfg.Get(config.APIHost)
	t.Run("fault=token cannot read DNS records", func(t *testing.T) {
		bad := pathFails(t, env, config.CloudflareAPIURL, "/dns_records", http.StatusForbidden, cfNoDNSRead)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, bad) }, "cloudflare: list DNS records name="+host, "Unauthorized to access requested resource")
	})
	t.Run("fault=no DNS record for the API host", func(t *testing.T) {
		removeRecord(t, w.Cloudflare, host)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, env) }, "Cloudflare has no DNS record for "+host+": nothing can propagate")
	})
	t.Run("fault=Cloudflare /ips unavailable", func(t *testing.T) {
		bad := pathFails(t, env, config.CloudflareAPIURL, "/ips", http.StatusBadGateway, `{"success":false,"errors":[{"code":10000,"message":"bad gateway"}],"messages":[],"result":null}`)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.DNSPropagated(ct, bad) }, "cloudflare: GET /ips")
	})
}

func TestSelfRailwayVariablesFaults(t *testing.T) {
	w, env := harness.World(t)
	t.Run("fault=Railway variables query fails", func(t *testing.T) {
		bad := railwayOpFails(t, env, "Variables", railwayProblem)
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.SecretsNoPlaceholders(ct, bad) }, "read variables of hustlexp-engine in production: railway Variables: "+railwayProblem)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, bad) }, "read variables of Railway production/hustlexp-engine: railway Variables: "+railwayProblem)
	})
	t.Run("fault=replica count query fails", func(t *testing.T) {
		bad := railwayOpFails(t, env, "ServiceInstanceReplicas", railwayProblem)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, bad) }, "read serviceInstance.numReplicas of Railway production/hustlexp-engine: railway ServiceInstanceReplicas: "+railwayProblem)
	})
	t.Run("fault=DB_POOL_MAX is not a number", func(t *testing.T) {
		setRailwayVar(t, w.Railway, "DB_POOL_MAX", "twenty", false)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.PoolSized(ct, env) }, "DB_POOL_MAX in Railway production/hustlexp-engine is not an integer (6 characters): set DB_POOL_MAX to a number ≤ 20")
	})
	t.Run("fault=live run with neither Railway token", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.RailwayToken: "", config.RailwayAPIToken: ""})
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.CloudflareInFront(ct, live) }, config.RailwayToken+" or "+config.RailwayAPIToken+" not set")
	})
}

func TestSelfDB5Faults(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=Neon branches list fails", func(t *testing.T) {
		bad := pathFails(t, env, config.NeonAPIURL, "/branches", http.StatusInternalServerError, neon500)
		checktest.MustFail(t, dbTimeout, func(ct check.T) { launch.BackupsConfigured(ct, bad) }, "Neon API GET /projects/", "/branches", "= 500: internal server error")
	})
}
