//go:build !prelaunch && !t0 && !day1 && !week1

package hxapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/captures"
)

// Contract tests: every decoder parses every captured body of the real
// backend it is meant for (../shared/captures/hustlexp), reading what the
// rows judge without a shape problem.

func response(e captures.Exchange) *Response {
	h := http.Header{}
	for k, v := range e.Header {
		h.Set(k, v)
	}
	return &Response{Method: e.Method, Path: e.Path, Status: e.Status, Header: h, Body: e.Body}
}

func TestContractHealthBodies(t *testing.T) {
	h, err := DecodeHealth(response(captures.Load(t, "01-health.http")[0]))
	if err != nil || h.Status != "healthy" || h.Build == nil || len(h.Build.Revision) != 40 || h.Build.CleanSource == nil || !*h.Build.CleanSource ||
		h.Build.Service != "hustlexp-engine" || h.Build.SchemaVersion != 1 || h.PaymentCreation == nil || h.PaymentCreation.Mode != "enabled" || len(h.ShapeProblems("")) > 0 {
		t.Fatalf("captured /health: %+v build %+v %v %v", h, h.Build, h.ShapeProblems(""), err)
	}
	if h.Build.Environment != "development" {
		t.Fatalf("captured build.environment = %q", h.Build.Environment)
	}
	rd, err := DecodeReadiness(response(captures.Load(t, "02-health-readiness.http")[0]))
	if err != nil || !rd.Ready || rd.DBLatencyMs != nil || rd.Build == nil || len(rd.ShapeProblems("")) > 0 {
		t.Fatalf("captured readiness: %+v %v", rd, err)
	}
	lv, err := DecodeLiveness(response(captures.Load(t, "03-health-liveness.http")[0]))
	if err != nil || !lv.Alive || lv.Uptime < 34 || lv.Uptime > 35 || len(lv.ShapeProblems("")) > 0 {
		t.Fatalf("captured liveness: %+v %v", lv, err)
	}
}

// The decoder that typed checks.schema/firebase/stripe as strings failed on
// this body ("body is not the expected JSON"): SMK-3, SMK-4, GNG-4, GNG-5.
func TestContractDetailed(t *testing.T) {
	d, err := DecodeDetailed(response(captures.Load(t, "04-health-detailed-authorized.http")[0]))
	if err != nil {
		t.Fatal(err)
	}
	if p := d.ShapeProblems(""); len(p) > 0 {
		t.Fatalf("shape problems on the captured body: %v", p)
	}
	c := d.Checks
	if c.Database.Status != "ok" || c.Database.Latency == nil || *c.Database.Latency != 1 || c.Schema.Status != "ok" ||
		c.Firebase.Status != "configured" || c.Stripe.Status != "configured" {
		t.Fatalf("checks = %+v", c)
	}
	if d.Pool == nil || d.Pool.TotalConnections != 1 || d.Pool.IdleConnections != 1 || d.Pool.WaitingClients != 0 {
		t.Fatalf("pool = %+v", d.Pool)
	}
	if len(d.CircuitBreakers) != 10 || len(d.NotClosed()) != 0 {
		t.Fatalf("circuitBreakers = %v", d.CircuitBreakers)
	}
	if _, ok := d.ProcessStart(); !ok || d.Uptime < 34 || d.Memory["rss"] == 0 {
		t.Fatalf("uptime %v memory %v", d.Uptime, d.Memory)
	}
}

func TestContractErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		file, want, ctype string
	}{
		{"05-health-detailed-no-bearer.http", "Unauthorized", "application/json"},
		{"06-health-detailed-wrong-bearer.http", "Unauthorized", "application/json"},
		{"07-unknown-path-404.http", "Not Found", "application/json"},
		{"09-metrics-no-bearer.http", "Unauthorized", "text/plain; charset=UTF-8"},
		{"30-webhook-stripe-bad-signature.http", "", "application/json"},
		{"31-webhook-stripe-signed-payment-intent-succeeded.http", "Webhook processing failed", "application/json"},
	} {
		for _, e := range captures.Load(t, tc.file) {
			got := ErrorMessage(e.Body)
			if got == "" || (tc.want != "" && got != tc.want) || e.Header["content-type"] != tc.ctype {
				t.Errorf("%s (%s): message %q content-type %q, want %q %q", tc.file, e.Note, got, e.Header["content-type"], tc.want, tc.ctype)
			}
		}
	}
	// the client names a captured 401 as a bearer problem
	e := captures.Load(t, "05-health-detailed-no-bearer.http")[0]
	srv := serve(t, e)
	c := testClient(srv)
	c.MaxBody = 1 << 20
	if _, _, err := c.Detailed(t.Context()); err == nil || !strings.Contains(err.Error(), "HUSTLEXP_INTERNAL_API_KEY") {
		t.Fatalf("captured 401: %v", err)
	}
}

func TestContractTRPCEnvelopes(t *testing.T) {
	files := []string{"20-trpc-health-ping.http", "21-trpc-unknown-procedure.http", "22-trpc-user-register-success.http",
		"23-trpc-user-register-invalid-token.http", "24-trpc-user-me.http", "25-trpc-task-create-region-policy-denied.http",
		"26-trpc-task-accept-and-assignworker-errors.http", "28-trpc-method-and-content-type-errors.http"}
	n := 0
	for _, f := range files {
		for _, e := range captures.Load(t, f) {
			n++
			proc := strings.TrimPrefix(strings.SplitN(e.Path, "?", 2)[0], "/trpc/")
			srv := serve(t, e)
			c := testClient(srv)
			c.MaxBody = 1 << 20
			var out map[string]any
			_, err := c.TRPC(t.Context(), TRPCRequest{Procedure: proc, Mutation: e.Method == "POST"}, &out)
			if e.Status == 200 {
				if err != nil || len(out) == 0 {
					t.Errorf("%s (%s): success envelope: %v", f, e.Note, err)
				}
				continue
			}
			te, ok := AsTRPCError(err)
			if !ok || !te.Envelope || te.Message == "" || te.HTTPStatus != e.Status {
				t.Errorf("%s (%s): error envelope not decoded: %v", f, e.Note, err)
				continue
			}
			if bad := te.TRPCInconsistency(); len(bad) > 0 {
				t.Errorf("%s (%s): captured envelope judged inconsistent: %v", f, e.Note, bad)
			}
			if te.ApplicationCode != "" {
				t.Errorf("%s: applicationCode %q on the wire", f, te.ApplicationCode)
			}
		}
	}
	if n < 15 {
		t.Fatalf("only %d captured tRPC exchanges read", n)
	}
	// REGION_POLICY_DENIED never reaches the wire: the denial is this message
	e := captures.Load(t, "25-trpc-task-create-region-policy-denied.http")[0]
	if !strings.Contains(string(e.Body), "The task does not meet the effective region policy.") || strings.Contains(string(e.Body), "REGION_POLICY_DENIED") {
		t.Fatalf("capture 25 changed: %s", e.Body)
	}
}

func TestContractTRPCBatch(t *testing.T) {
	ex := captures.Load(t, "27-trpc-batch.http")
	want := []struct {
		status int
		errs   []bool
	}{{200, []bool{false, false}}, {207, []bool{false, true}}, {400, []bool{true, true}}, {403, []bool{true, true}}}
	if len(ex) != len(want) {
		t.Fatalf("capture 27 holds %d exchanges, want %d", len(ex), len(want))
	}
	for i, e := range ex {
		procs := strings.Split(strings.TrimPrefix(strings.SplitN(e.Path, "?", 2)[0], "/trpc/"), ",")
		items, err := DecodeBatch(response(e), procs)
		if err != nil || e.Status != want[i].status || len(items) != len(want[i].errs) {
			t.Fatalf("batch %d (%s): %v items %d", i, e.Note, err, len(items))
		}
		for j, it := range items {
			if (it.Error != nil) != want[i].errs[j] {
				t.Errorf("batch %d item %d: error %v, want error=%v", i, j, it.Error, want[i].errs[j])
			}
			if it.Error != nil && (!it.Error.Envelope || it.Error.Path != procs[j] || len(it.Error.TRPCInconsistency()) > 0) {
				t.Errorf("batch %d item %d: %+v %v", i, j, it.Error, it.Error.TRPCInconsistency())
			}
		}
	}
}

// serve answers every request with the captured response e.
func serve(t *testing.T, e captures.Exchange) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range e.Header {
			if k == "content-length" || k == "connection" || k == "keep-alive" || k == "date" {
				continue
			}
			w.Header().Set(k, v)
		}
		w.WriteHeader(e.Status)
		w.Write(e.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
