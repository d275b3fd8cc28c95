//go:build !prelaunch && !t0 && !day1 && !week1

package smoke_test

// SMK-2 and SMK-4 must reach every replica the deployment runs (Railway's
// serviceInstance.numReplicas), not the operator's HUSTLEXP_REPLICAS alone:
// with its default (1) they stopped after one answer.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/smoke"
)

const replicaTimeout = 30 * time.Second

// setRailwayReplicas sets serviceInstance.numReplicas of the production API
// service in the Railway fake for the duration of the test.
func setRailwayReplicas(t *testing.T, rw *railwayfake.Fake, n int) {
	t.Helper()
	var prev map[string]int
	rw.Update(func(s *railwayfake.State) {
		sv := s.Service("hustlexp-engine")
		prev = sv.NumReplicas
		sv.NumReplicas = map[string]int{s.Env("production").ID: n}
	})
	t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Service("hustlexp-engine").NumReplicas = prev }) })
}

func TestSelfSMK4RailwayReplicas(t *testing.T) {
	w, env := harness.World(t)
	// HUSTLEXP_REPLICAS at its default (1, as when unset)
	unset := env.MustWith(map[string]string{config.Replicas: "1"})
	r := checktest.MustPass(t, replicaTimeout, func(ct check.T) { smoke.BreakersClosed(ct, unset) })
	if got := r.Attrs[check.AttrEvidence+"replicas_reached"]; !strings.HasPrefix(got, "3 of 3") {
		t.Errorf("replicas_reached = %q, want 3 of 3 (Railway's numReplicas)", got)
	}
	t.Run("fault=Railway runs 3 replicas, HUSTLEXP_REPLICAS unset, replica 3 has stripe OPEN", func(t *testing.T) {
		t.Cleanup(w.Standin.SetBreaker(2, "stripe", "OPEN"))
		checktest.MustFail(t, replicaTimeout, func(ct check.T) { smoke.BreakersClosed(ct, unset) }, "circuit breakers not CLOSED", "stripe=OPEN")
	})
	t.Run("fault=Railway runs 5 replicas, 3 answer", func(t *testing.T) {
		setRailwayReplicas(t, w.Railway, 5)
		r := checktest.MustFail(t, replicaTimeout, func(ct check.T) { smoke.BreakersClosed(ct, unset) }, "reached 3 of 5 replicas (serviceInstance.numReplicas)")
		if r.Status() != "unverified" {
			t.Errorf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=Railway serviceInstance query fails", func(t *testing.T) {
		bad := checktest.FailFront(t, unset, config.RailwayAPIURL, func(_ *http.Request, body []byte) bool {
			var req struct {
				OperationName string `json:"operationName"`
			}
			return json.Unmarshal(body, &req) == nil && req.OperationName == "ServiceInstanceReplicas"
		}, http.StatusOK, `{"data":null,"errors":[{"message":"Problem processing request","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
		checktest.MustFail(t, replicaTimeout, func(ct check.T) { smoke.BreakersClosed(ct, bad) },
			"replicas the deployment runs: read serviceInstance.numReplicas of Railway production/hustlexp-engine: railway ServiceInstanceReplicas: Problem processing request")
	})
}

func TestSelfSMK2RailwayReplicas(t *testing.T) {
	w, env := harness.World(t)
	unset := env.MustWith(map[string]string{config.Replicas: "1"})
	r := checktest.MustPass(t, replicaTimeout, func(ct check.T) { smoke.HealthHealthy(ct, unset) })
	if got := r.Attrs[check.AttrEvidence+"replicas_reached"]; !strings.HasPrefix(got, "3 of 3") {
		t.Errorf("replicas_reached = %q, want 3 of 3 (Railway's numReplicas)", got)
	}
	t.Run("fault=Railway runs 5 replicas, 3 answer", func(t *testing.T) {
		setRailwayReplicas(t, w.Railway, 5)
		r := checktest.MustFail(t, replicaTimeout, func(ct check.T) { smoke.HealthHealthy(ct, unset) }, "reached 3 of 5 replicas (serviceInstance.numReplicas)", "the others' /health was not seen")
		if r.Status() != "unverified" {
			t.Errorf("status %s, want unverified", r.Status())
		}
	})
	// the edge answers /health/liveness with its own error page: replicas
	// cannot be told apart
	t.Run("fault=/health/liveness answers Cloudflare 502 HTML", func(t *testing.T) {
		bad := checktest.FailFront(t, unset, config.BaseURL, func(r *http.Request, _ []byte) bool { return r.URL.Path == "/health/liveness" },
			http.StatusBadGateway, fmt.Sprintf("<html><head><title>%s | 502: Bad gateway</title></head><body>Error code 502</body></html>", "api.hustlexp.app"))
		checktest.MustFail(t, replicaTimeout, func(ct check.T) { smoke.HealthHealthy(ct, bad) }, "SMK-2 GET /health/liveness (tells the replicas apart): ")
	})
}
