//go:build !prelaunch && !t0 && !day1 && !week1

package neon_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/internal/neon"
	"github.com/hustlexp/launchcheck/internal/specs"
	"github.com/hustlexp/launchcheck/internal/specs/oascheck"
)

const dsn = "postgres://hustlexp_app:pw@db.rehearsal.test:5432/hustlexp?sslmode=require"

func fakeWithBranches(n int) *neonfake.Fake {
	st := neonfake.Healthy("prj-test", "ep-prod.rehearsal.neon.test")
	for i := 0; i < n; i++ {
		b := st.Branches[0]
		b.ID, b.Name, b.Default, b.Protected = fmt.Sprintf("br-dev-%d", i), fmt.Sprintf("dev-%d", i), false, false
		b.ParentID = st.Branches[0].ID
		st.Branches = append(st.Branches, b)
	}
	st.BranchDSN = dsn
	return neonfake.New("neon-key", st)
}

// Every request the Neon client sends and every answer the fake gives is
// valid against Neon's published OpenAPI document, and the fake's answers
// carry no field the document does not declare.
func TestClientAndFakeAgainstNeonOpenAPI(t *testing.T) {
	doc, err := oascheck.Load(specs.NeonOpenAPI)
	if errors.Is(err, specs.ErrAbsent) {
		t.Skipf("Neon's OpenAPI document is not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := fakeWithBranches(4)
	defer f.Close()
	f.Update(func(s *neonfake.State) { s.PageSize = 2 })
	chk, err := oascheck.New(doc, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := &neon.Client{BaseURL: f.URL, APIKey: "neon-key", Timeout: 5 * time.Second, HTTP: &http.Client{Transport: chk.Transport(nil)}}
	ctx := context.Background()
	if _, err := c.Project(ctx, "prj-test"); err != nil {
		t.Fatal(err)
	}
	bs, err := c.Branches(ctx, "prj-test")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 5 {
		t.Fatalf("Branches read %d of 5 branches (pages of 2): the cursor pagination is not followed", len(bs))
	}
	if _, err := c.Endpoints(ctx, "prj-test"); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateBranch(ctx, "prj-test", "launchcheck-run-wk4", bs[0].ID, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range created.Operations {
		if _, err := c.Operation(ctx, "prj-test", op.ID); err != nil {
			t.Fatal(err)
		}
	}
	// WK-4: the URI of the configured database and role, not the first one
	got, err := neon.PickConnectionURI(created.ConnectionURIs, "hustlexp", "hustlexp_app")
	if err != nil || got != dsn {
		t.Fatalf("PickConnectionURI = %q, %v; want the hustlexp_app@hustlexp URI", got, err)
	}
	if created.ConnectionURIs[0].ConnectionURI == dsn {
		t.Fatal("the fake lists the configured pair first: connection_uris[0] would pass by chance")
	}
	if _, err := neon.PickConnectionURI(created.ConnectionURIs, "hustlexp", "someone_else"); err == nil || !strings.Contains(err.Error(), "hustlexp_app@hustlexp") || strings.Contains(err.Error(), "pw") {
		t.Fatalf("missing pair: %v", err)
	}
	if err := c.DeleteBranch(ctx, "prj-test", created.Branch.ID); err != nil {
		t.Fatal(err)
	}
	// an error answer is validated too
	bad := &neon.Client{BaseURL: f.URL, APIKey: "wrong", Timeout: 5 * time.Second, HTTP: &http.Client{Transport: chk.Transport(nil)}}
	if _, err := bad.Project(ctx, "prj-test"); err == nil {
		t.Fatal("wrong key: want an error")
	}
	for _, e := range chk.Errors() {
		t.Error(e)
	}
	seen := chk.Seen()
	for _, op := range []string{"GET /projects/{project_id}", "GET /projects/{project_id}/branches", "GET /projects/{project_id}/endpoints",
		"POST /projects/{project_id}/branches", "DELETE /projects/{project_id}/branches/{branch_id}", "GET /projects/{project_id}/operations/{operation_id}"} {
		if seen[op] == 0 {
			t.Errorf("%s was never validated (seen: %v)", op, seen)
		}
	}
}

// The checker itself catches a field the description does not have.
func TestUndeclaredFieldIsCaught(t *testing.T) {
	doc, err := oascheck.Load(specs.NeonOpenAPI)
	if errors.Is(err, specs.ErrAbsent) {
		t.Skipf("Neon's OpenAPI document is not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"endpoints":[{"id":"ep-1","host":"h","branch_id":"b","type":"read_write","current_state":"active","invented":true}]}`)
	}))
	defer f.Close()
	chk, err := oascheck.New(doc, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := &neon.Client{BaseURL: f.URL, APIKey: "neon-key", Timeout: 5 * time.Second, HTTP: &http.Client{Transport: chk.Transport(nil)}}
	_, _ = c.Endpoints(context.Background(), "prj-test")
	if !strings.Contains(strings.Join(chk.Errors(), "\n"), "endpoints[0].invented") {
		t.Fatalf("want the invented field reported, got %v", chk.Errors())
	}
}
