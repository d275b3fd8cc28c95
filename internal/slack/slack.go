// Package slack builds the official slack-go client pointed at the
// configured Web API base URL, with a bounded HTTP client that also records
// the token's scopes (Slack's X-OAuth-Scopes response header).
package slack

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	sl "github.com/slack-go/slack"
)

// Client is a slack-go client plus the scopes Slack reported for its token.
type Client struct {
	*sl.Client
	mu     sync.Mutex
	scopes []string
	seen   bool
}

type recorder struct {
	c    *Client
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if h, ok := resp.Header["X-Oauth-Scopes"]; ok {
		r.c.mu.Lock()
		r.c.seen = true
		r.c.scopes = nil
		for _, s := range strings.Split(strings.Join(h, ","), ",") {
			if s = strings.TrimSpace(s); s != "" {
				r.c.scopes = append(r.c.scopes, s)
			}
		}
		r.c.mu.Unlock()
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, 8<<20), resp.Body}
	return resp, nil
}

// New returns a client for token against apiURL (with trailing slash).
func New(token, apiURL string, timeout time.Duration) *Client {
	c := &Client{}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	hc := &http.Client{Timeout: timeout, Transport: recorder{c: c, next: http.DefaultTransport}}
	c.Client = sl.New(token, sl.OptionAPIURL(apiURL), sl.OptionHTTPClient(hc))
	return c
}

// Scopes returns the token scopes from the last response, and whether
// Slack reported them at all.
func (c *Client) Scopes() ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.scopes...), c.seen
}
