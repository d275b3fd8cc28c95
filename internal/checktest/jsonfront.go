package checktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"testing"

	"github.com/hustlexp/launchcheck/internal/target"
)

// JSONFront puts a reverse proxy in front of the service whose base URL is
// the configuration variable baseVar and returns env aimed at it: every
// 200 answer to a request match accepts has its JSON object body passed
// through edit on the way back (a fault the service has no knob for).
func JSONFront(t testing.TB, env *target.Env, baseVar string, match func(*http.Request) bool, edit func(body map[string]any)) *target.Env {
	t.Helper()
	u, err := url.Parse(env.Cfg.Get(baseVar))
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode != http.StatusOK || !match(r.Request) {
			return nil
		}
		raw, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if json.Unmarshal(raw, &body) == nil {
			edit(body)
			raw, _ = json.Marshal(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		r.Header.Set("Content-Length", strconv.Itoa(len(raw)))
		return nil
	}
	front := httptest.NewServer(rp)
	t.Cleanup(front.Close)
	return env.MustWith(map[string]string{baseVar: front.URL})
}
