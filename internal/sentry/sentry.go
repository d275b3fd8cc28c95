// Package sentry is a small client of the Sentry web API (/api/0, bearer auth
// token) over net/http with typed structs; sentry-go has no management API.
// Every call is bounded by a timeout, bodies are capped, and the token never
// appears in an error.
package sentry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Client talks to one Sentry installation.
type Client struct {
	BaseURL string // e.g. https://sentry.io
	Token   string
	Timeout time.Duration
	HTTP    *http.Client
}

// New returns a client.
func New(baseURL, token string, timeout time.Duration) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, Timeout: timeout, HTTP: &http.Client{}}
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Path   string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	hint := ""
	switch e.Status {
	case 401, 403:
		hint = " (check SENTRY_AUTH_TOKEN and its scopes)"
	case 404:
		hint = " (check SENTRY_ORG / SENTRY_PROJECT)"
	}
	return fmt.Sprintf("sentry GET %s = %d: %s%s", e.Path, e.Status, e.Body, hint)
}

// Get fetches path (under /api/0) and decodes JSON into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	_, err := c.get(ctx, c.BaseURL+"/api/0"+path, path, out)
	return err
}

// nextLink matches the next page of Sentry's Link header (only when it has results).
var nextLink = regexp.MustCompile(`<([^>]+)>;\s*rel="next";\s*results="true"`)

// GetAll fetches every page of a list endpoint (Sentry's Link-header
// pagination, at most maxPages pages) and appends each page's items to out
// (a pointer to a slice).
func GetAll[T any](ctx context.Context, c *Client, path string, maxPages int, out *[]T) error {
	next := c.BaseURL + "/api/0" + path
	for page := 0; next != ""; page++ {
		if page >= maxPages {
			return fmt.Errorf("sentry GET %s: more than %d pages", path, maxPages)
		}
		var items []T
		link, err := c.get(ctx, next, path, &items)
		if err != nil {
			return err
		}
		*out = append(*out, items...)
		next = link
	}
	return nil
}

// get fetches the absolute URL u (path names it in errors), decodes JSON
// into out and returns the URL of the next page ("" when none).
func (c *Client) get(ctx context.Context, u, path string, out any) (string, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("sentry: bad SENTRY_API_URL: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sentry GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", fmt.Errorf("sentry GET %s: reading body: %v", path, err)
	}
	if resp.StatusCode/100 != 2 {
		return "", &StatusError{Path: path, Status: resp.StatusCode, Body: snippet(raw)}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return "", fmt.Errorf("sentry GET %s: body is not the expected JSON (%s): %v", path, snippet(raw), err)
	}
	next := ""
	if m := nextLink.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		if nu, err := resp.Request.URL.Parse(m[1]); err == nil {
			next = nu.String()
		}
	}
	return next, nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// Project is a Sentry project.
type Project struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Key is a project client key.
type Key struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Public    string `json:"public"`
	ProjectID any    `json:"projectId"` // number or string depending on version
	IsActive  bool   `json:"isActive"`
	DSN       struct {
		Public string `json:"public"`
	} `json:"dsn"`
}

// Environment is a project environment.
type Environment struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IsHidden bool   `json:"isHidden"`
}

func esc(s string) string { return url.PathEscape(s) }

// Project fetches org/project.
func (c *Client) Project(ctx context.Context, org, project string) (*Project, error) {
	var p Project
	if err := c.Get(ctx, "/projects/"+esc(org)+"/"+esc(project)+"/", &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Keys lists every client key of org/project (all Link-header pages).
func (c *Client) Keys(ctx context.Context, org, project string) ([]Key, error) {
	var ks []Key
	if err := GetAll(ctx, c, "/projects/"+esc(org)+"/"+esc(project)+"/keys/", 50, &ks); err != nil {
		return nil, err
	}
	return ks, nil
}

// Environments lists all (visible and hidden) environments of org/project.
func (c *Client) Environments(ctx context.Context, org, project string) ([]Environment, error) {
	var es []Environment
	if err := c.Get(ctx, "/projects/"+esc(org)+"/"+esc(project)+"/environments/?visibility=all", &es); err != nil {
		return nil, err
	}
	return es, nil
}

// ReceivedEvents sums the events org/project received between since and
// until (the project stats endpoint, stat=received, hourly buckets of
// [timestamp, count] pairs). The endpoint counts every environment of the
// project.
func (c *Client) ReceivedEvents(ctx context.Context, org, project string, since, until time.Time) (int, error) {
	var stats [][2]float64
	q := fmt.Sprintf("/projects/%s/%s/stats/?stat=received&resolution=1h&since=%d&until=%d", esc(org), esc(project), since.Unix(), until.Unix())
	if err := c.Get(ctx, q, &stats); err != nil {
		return 0, err
	}
	total := 0.0
	for _, s := range stats {
		total += s[1]
	}
	return int(total), nil
}
