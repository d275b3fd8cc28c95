//go:build !prelaunch && !t0 && !day1 && !week1

package hxapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTRPCWireFormat(t *testing.T) {
	var got struct {
		method, path, input, ctype, auth, reqID, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.path, got.input = r.Method, r.URL.Path, r.URL.Query().Get("input")
		got.ctype, got.auth, got.reqID, got.body = r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.Header.Get("X-Request-Id"), string(b)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/trpc/escrow.getByTaskId":
			w.Write([]byte(`{"result":{"data":{"id":"e1","state":"FUNDED"}}}`))
		case "/trpc/user.register":
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"message":"Authentication required","code":-32001,"data":{"code":"UNAUTHORIZED","httpStatus":401,"path":"user.register"}}}`))
		case "/trpc/escrow.createPaymentIntent":
			w.WriteHeader(412)
			w.Write([]byte(`{"error":{"message":"New payments are temporarily paused","code":-32012,"data":{"code":"PRECONDITION_FAILED","httpStatus":412,"path":"escrow.createPaymentIntent","applicationCode":"PAYMENT_CREATION_FROZEN"}}}`))
		case "/trpc/health.ping":
			w.Write([]byte(`{"status":"ok"}`))
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"Not Found"}`))
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, RunID: "r1", Timeout: 5 * time.Second, HTTP: srv.Client()}
	ctx := context.Background()

	var esc struct{ ID, State string }
	if err := c.Query(ctx, "escrow.getByTaskId", "tok", map[string]string{"taskId": "t 1"}, &esc); err != nil {
		t.Fatal(err)
	}
	if got.method != "GET" || got.input != `{"taskId":"t 1"}` || got.auth != "Bearer tok" || !strings.HasPrefix(got.reqID, "launchcheck-r1-") {
		t.Fatalf("query sent %+v", got)
	}
	if esc.State != "FUNDED" {
		t.Fatalf("decoded %+v", esc)
	}

	err := c.Mutate(ctx, "user.register", "", map[string]any{"idToken": "x"}, nil)
	if got.method != "POST" || got.ctype != "application/json" || got.body != `{"idToken":"x"}` || got.input != "" || got.auth != "" {
		t.Fatalf("mutation sent %+v", got)
	}
	te, ok := AsTRPCError(err)
	if !ok || te.Code != "UNAUTHORIZED" || te.HTTPStatus != 401 || te.Path != "user.register" || te.JSONRPCCode != -32001 || len(te.TRPCInconsistency()) != 0 {
		t.Fatalf("error = %#v", err)
	}
	if !strings.Contains(err.Error(), "POST /trpc/user.register = 401 UNAUTHORIZED: Authentication required") {
		t.Fatalf("message %q", err)
	}

	err = c.Mutate(ctx, "escrow.createPaymentIntent", "tok", map[string]any{}, nil)
	if te, _ := AsTRPCError(err); te == nil || te.ApplicationCode != "PAYMENT_CREATION_FROZEN" || TRPCCode(err) != "PRECONDITION_FAILED" {
		t.Fatalf("error = %v", err)
	}

	err = c.Query(ctx, "health.ping", "", nil, &struct{}{})
	if err == nil || !strings.Contains(err.Error(), `not {"result":{"data":…}}`) {
		t.Fatalf("bare JSON accepted: %v", err)
	}
	err = c.Query(ctx, "nope.nothing", "", nil, nil)
	if te, _ := AsTRPCError(err); te == nil || te.Envelope || te.HTTPStatus != 404 || !strings.Contains(err.Error(), "not a tRPC error envelope") {
		t.Fatalf("404 = %v", err)
	}
	if _, err := c.TRPC(ctx, TRPCRequest{Procedure: "a/b"}, nil); err == nil {
		t.Fatal("bad procedure name accepted")
	}
	b, _ := json.Marshal(TRPCCodes["CONFLICT"])
	if string(b) != `{"HTTP":409,"JSONRPC":-32009}` {
		t.Fatalf("code table: %s", b)
	}
}

func TestTRPCUnreachable(t *testing.T) {
	c := &Client{BaseURL: "http://127.0.0.1:1", RunID: "r", Timeout: time.Second, HTTP: http.DefaultClient}
	err := c.Mutate(context.Background(), "user.me", "secret-token", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "/trpc/user.me") || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v", err)
	}
}
