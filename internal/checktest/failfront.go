package checktest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/hustlexp/launchcheck/internal/target"
)

// FailFront puts a reverse proxy in front of the service whose base URL is
// the configuration variable baseVar and returns env aimed at it: a request
// match accepts is answered with status and body (a provider error on one
// call, e.g. the second of a row's calls); every other request reaches the
// service unchanged. match sees the request body (GraphQL operations are
// told apart by it) and may read it freely: the proxy forwards a copy.
func FailFront(t testing.TB, env *target.Env, baseVar string, match func(r *http.Request, body []byte) bool, status int, body string) *target.Env {
	t.Helper()
	return front(t, env, baseVar, match, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

// DropFront is FailFront whose matched requests get no answer: the
// connection is closed (the service or its edge resetting it mid-run).
func DropFront(t testing.TB, env *target.Env, baseVar string, match func(r *http.Request, body []byte) bool) *target.Env {
	t.Helper()
	return front(t, env, baseVar, match, func(w http.ResponseWriter) {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without a response
	})
}

// front proxies every request to the service at baseVar except those match
// accepts, which answer handles.
func front(t testing.TB, env *target.Env, baseVar string, match func(r *http.Request, body []byte) bool, answer func(http.ResponseWriter)) *target.Env {
	t.Helper()
	u, err := url.Parse(env.Cfg.Get(baseVar))
	if err != nil {
		t.Fatal(err)
	}
	// Requests keep their own path: a base URL with a path (Railway's
	// …/graphql/v2) is kept on the front, not joined twice.
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.Host = u.Scheme, u.Host, u.Host
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if match(r, raw) {
			answer(w)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return env.MustWith(map[string]string{baseVar: srv.URL + u.EscapedPath()})
}
