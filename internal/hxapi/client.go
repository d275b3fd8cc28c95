// Package hxapi is launchcheck's client of the HustleXP API: health
// endpoints, /metrics and (in trpc*.go) tRPC v11 plain-JSON calls.
//
// Every call carries X-Request-Id launchcheck-<runid>-<proc>-<n> (unique across
// the test binaries of a run), runs under its own
// deadline (HUSTLEXP_HTTP_TIMEOUT), reads at most HUSTLEXP_RESPONSE_BODY_LIMIT
// bytes of body, and fails with errors that name the endpoint and show a
// short excerpt of what came back — never the bearer.
package hxapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Client talks to one HustleXP deployment.
type Client struct {
	BaseURL string // without trailing slash
	// InternalKey is INTERNAL_API_KEY, sent only on calls that ask for it
	// (/health/detailed, /metrics).
	InternalKey string
	RunID       string
	Timeout     time.Duration // per call
	MaxBody     int64
	HTTP        *http.Client
}

// New builds a client from the target's configuration. It does not require
// HUSTLEXP_BASE_URL to be set (checks call check.Need first); an empty base
// URL gives an error at the first call.
func New(env *target.Env) *Client {
	c := &Client{
		BaseURL:     strings.TrimRight(env.Cfg.Get(config.BaseURL), "/"),
		InternalKey: env.Cfg.Get(config.InternalAPIKey),
		RunID:       env.RunID,
		Timeout:     env.Cfg.Duration(config.HTTPTimeout),
		MaxBody:     int64(env.Cfg.Int(config.ResponseBodyLimit)),
	}
	c.HTTP = &http.Client{
		Timeout: c.Timeout + time.Second, // the per-call context is the real bound
		// Redirects are not followed: a health endpoint that redirects is an answer to report.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// procID tells apart the test binaries (processes) of one run: the pid and
// a random component, so X-Request-Id never repeats across the binaries
// that share a run ID, even when a pid is reused.
var procID = func() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%d%s", os.Getpid(), hex.EncodeToString(b[:]))
}()

// requestSeq numbers the calls of this process across all clients.
var requestSeq atomic.Uint64

// NextRequestID returns launchcheck-<runid>-<proc>-<n> for the next call:
// <proc> is this process's pid and a random part, <n> counts the calls of
// the process (every client shares it), so ids are unique across the run.
func (c *Client) NextRequestID() string {
	return RequestID(c.RunID, requestSeq.Add(1))
}

// RequestID formats the n-th request id of this process in run runID.
func RequestID(runID string, n uint64) string {
	return fmt.Sprintf("launchcheck-%s-%s-%d", runID, procID, n)
}

// Response is one HTTP exchange, body already read (capped).
type Response struct {
	Method    string
	Path      string // as asked, e.g. /health/readiness
	Status    int
	Header    http.Header
	Body      []byte
	Latency   time.Duration // request sent → body read
	RequestID string        // the X-Request-Id we sent
}

// Endpoint is "GET /health", for messages.
func (r *Response) Endpoint() string { return r.Method + " " + r.Path }

// Excerpt is the first ~200 characters of the body on one line.
func (r *Response) Excerpt() string { return Excerpt(r.Body, 200) }

// Excerpt returns at most n bytes of b as one printable line.
func Excerpt(b []byte, n int) string {
	s := string(b)
	if len(s) > n {
		s = s[:n]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty body)"
	}
	return s
}

// DecodeJSON decodes the body into v; the error names the endpoint, the
// status and shows an excerpt of the body.
func (r *Response) DecodeJSON(v any) error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return fmt.Errorf("%s = %d with an empty body, want JSON", r.Endpoint(), r.Status)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		ct := r.Header.Get("Content-Type")
		return fmt.Errorf("%s = %d: body is not the expected JSON (%v; Content-Type %q): %s", r.Endpoint(), r.Status, err, ct, r.Excerpt())
	}
	return nil
}

// StatusError is a response with an unexpected status.
type StatusError struct {
	Endpoint string
	Status   int
	Want     int
	Excerpt  string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s = %d, want %d: %s", e.Endpoint, e.Status, e.Want, e.Excerpt)
}

// Expect returns a *StatusError unless the status is want.
func (r *Response) Expect(want int) error {
	if r.Status == want {
		return nil
	}
	return &StatusError{Endpoint: r.Endpoint(), Status: r.Status, Want: want, Excerpt: r.Excerpt()}
}

// Request describes one call.
type Request struct {
	Method   string
	Path     string // path and query, starting with /
	Header   http.Header
	Body     []byte
	Internal bool // send Authorization: Bearer INTERNAL_API_KEY
}

// Do performs one call under the client's per-call deadline.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	resp := &Response{Method: req.Method, Path: req.Path, RequestID: c.NextRequestID()}
	if c.BaseURL == "" {
		return resp, fmt.Errorf("%s: no base URL (%s is not set)", resp.Endpoint(), config.BaseURL)
	}
	u, err := url.Parse(c.BaseURL + req.Path)
	if err != nil || u.Host == "" {
		return resp, fmt.Errorf("%s: bad URL %q", resp.Endpoint(), c.BaseURL+req.Path)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return resp, fmt.Errorf("%s: %v", resp.Endpoint(), err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	hr.Header.Set("X-Request-Id", resp.RequestID)
	hr.Header.Set("User-Agent", "launchcheck")
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if req.Internal {
		if c.InternalKey == "" {
			return resp, fmt.Errorf("%s needs %s (bearer), which is not set", resp.Endpoint(), config.InternalAPIKey)
		}
		hr.Header.Set("Authorization", "Bearer "+c.InternalKey)
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	start := time.Now()
	hresp, err := client.Do(hr)
	if err != nil {
		return resp, fmt.Errorf("%s on %s: %w", resp.Endpoint(), u.Host, describeNetErr(ctx, err, timeout))
	}
	defer hresp.Body.Close()
	resp.Status, resp.Header = hresp.StatusCode, hresp.Header
	max := c.MaxBody
	if max <= 0 {
		max = 1 << 20
	}
	b, err := io.ReadAll(io.LimitReader(hresp.Body, max+1))
	resp.Latency = time.Since(start)
	resp.Body = b
	if err != nil {
		return resp, fmt.Errorf("%s = %d: reading body: %w", resp.Endpoint(), resp.Status, describeNetErr(ctx, err, timeout))
	}
	if int64(len(b)) > max {
		resp.Body = b[:max]
		return resp, fmt.Errorf("%s = %d: body exceeds %d bytes (%s); starts: %s", resp.Endpoint(), resp.Status, max, config.ResponseBodyLimit, Excerpt(b, 120))
	}
	return resp, nil
}

func describeNetErr(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (%s): %w", timeout, config.HTTPTimeout, err)
	}
	return err
}

// Get is Do for a GET without body.
func (c *Client) Get(ctx context.Context, path string, internal bool) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodGet, Path: path, Internal: internal})
}
