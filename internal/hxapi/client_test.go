//go:build !prelaunch && !t0 && !day1 && !week1

package hxapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func testClient(url string) *Client {
	return &Client{BaseURL: url, RunID: "r1", Timeout: 300 * time.Millisecond, MaxBody: 64, HTTP: &http.Client{}, InternalKey: "k"}
}

func TestClientErrorsNameTheEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			w.Write([]byte("<html>gateway error</html>"))
		case "/health/readiness":
			w.Write([]byte(strings.Repeat("x", 200)))
		case "/health/liveness":
			time.Sleep(time.Second)
		case "/health/detailed":
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"Unauthorized"}`))
		}
	}))
	defer srv.Close()
	c := testClient(srv.URL)
	for _, tc := range []struct {
		name string
		call func() error
		want []string
	}{
		{"garbage JSON", func() error { _, _, err := c.Health(context.Background()); return err }, []string{"GET /health", "body is not JSON", "gateway error"}},
		{"body over the cap", func() error { _, _, err := c.Readiness(context.Background()); return err }, []string{"GET /health/readiness", "exceeds 64 bytes"}},
		{"timeout", func() error { _, _, err := c.Liveness(context.Background()); return err }, []string{"GET /health/liveness", "no answer within 300ms"}},
		{"wrong bearer", func() error { _, _, err := c.Detailed(context.Background()); return err }, []string{"GET /health/detailed = 401", "HUSTLEXP_INTERNAL_API_KEY"}},
		{"unreachable host", func() error { _, _, err := testClient("http://127.0.0.1:1").Health(context.Background()); return err }, []string{"GET /health", "127.0.0.1:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "Bearer k") {
				t.Fatalf("error leaks the bearer: %v", err)
			}
		})
	}
}

func TestClientRequestIDAndOlderShapes(t *testing.T) {
	var ids []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, r.Header.Get("X-Request-Id"))
		switch r.URL.Path {
		case "/health":
			w.Write([]byte(`{"status":"healthy","timestamp":"2026-01-01T00:00:00Z","version":"1.0.0","schema":"1.0.0","environment":"production"}`))
		case "/health/readiness":
			w.Write([]byte(`{"ready":true,"dbLatencyMs":12}`))
		}
	}))
	defer srv.Close()
	c := testClient(srv.URL)
	c.MaxBody = 1 << 20
	h, _, err := c.Health(context.Background())
	if err != nil || !h.OldShape() || h.Status != "healthy" {
		t.Fatalf("old /health shape: %+v %v", h, err)
	}
	rd, _, err := c.Readiness(context.Background())
	if err != nil || rd.DBLatencyMs == nil || rd.DBLatencyMs.Duration() != 12*time.Millisecond {
		t.Fatalf("old readiness shape: %+v %v", rd, err)
	}
	// a second client of the same process continues the numbering
	testClient(srv.URL).Health(context.Background())
	if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Fatalf("X-Request-Id = %v, want three distinct ids", ids)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "launchcheck-r1-"+procID+"-") {
			t.Fatalf("X-Request-Id %q, want launchcheck-r1-<proc>-<n>", id)
		}
	}
}

// TestRequestIDsUniqueAcrossProcesses runs this test binary twice more (as
// two test binaries of one run do) and compares their first ids: the old
// launchcheck-<runid>-<n> gave launchcheck-r1-1 in both.
func TestRequestIDsUniqueAcrossProcesses(t *testing.T) {
	if os.Getenv("HXAPI_PRINT_REQUEST_ID") == "1" {
		fmt.Println("ID=" + RequestID("r1", 1))
		return
	}
	first := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequestIDsUniqueAcrossProcesses$")
		cmd.Env = append(os.Environ(), "HXAPI_PRINT_REQUEST_ID=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(l, "ID="); ok {
				return v
			}
		}
		t.Fatalf("child printed no id: %s", out)
		return ""
	}
	a, b := first(), first()
	if a == b {
		t.Fatalf("two processes of run r1 both sent X-Request-Id %q", a)
	}
}
