// Package upstash is a small client of the Upstash Redis REST API (the
// protocol the backend's @upstash/redis client speaks): commands as a JSON
// array POSTed to the base URL with a bearer token, answers {"result":…} or
// {"error":…}. Upstash has no Go SDK for the REST protocol; this is plain
// net/http with a timeout and a capped body.
package upstash

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client talks to one Upstash REST endpoint.
type Client struct {
	URL     string
	Token   string
	Timeout time.Duration
	HTTP    *http.Client
}

// New returns a client.
func New(url, token string, timeout time.Duration) *Client {
	return &Client{URL: strings.TrimRight(url, "/"), Token: token, Timeout: timeout, HTTP: &http.Client{}}
}

// Do sends one command, e.g. Do(ctx, "PING"), and returns its result.
func (c *Client) Do(ctx context.Context, args ...any) (any, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("upstash: bad UPSTASH_REDIS_REST_URL: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	cmd := fmt.Sprint(args[0])
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upstash REST %s: %v", cmd, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("upstash REST %s: reading body: %v", cmd, err)
	}
	var out struct {
		Result any    `json:"result"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("upstash REST %s: HTTP %d, body is not JSON (%s)", cmd, resp.StatusCode, snippet(raw))
	}
	if out.Error != "" || resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == 401 {
			hint = " (check UPSTASH_REDIS_REST_TOKEN)"
		}
		return nil, fmt.Errorf("upstash REST %s: HTTP %d: %s%s", cmd, resp.StatusCode, out.Error, hint)
	}
	return out.Result, nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
