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

// DropFront puts a reverse proxy in front of the service whose base URL is
// the configuration variable baseVar and returns env aimed at it: a request
// match accepts has its connection closed without an answer (the service or
// its edge resetting the connection mid-run); every other request reaches
// the service unchanged. match sees the request body and may read it freely.
func DropFront(t testing.TB, env *target.Env, baseVar string, match func(r *http.Request, body []byte) bool) *target.Env {
	t.Helper()
	u, err := url.Parse(env.Cfg.Get(baseVar))
	if err != nil {
		t.Fatal(err)
	}
	// the front keeps the base URL's path (a GraphQL endpoint such as
	// Railway's /graphql/v2): requests reach the service at the same path
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if match(r, raw) {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // closes the connection without a response
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return env.MustWith(map[string]string{baseVar: front.URL + u.EscapedPath()})
}
