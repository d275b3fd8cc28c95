// Package neon is a small typed client of the Neon API v2 (no official Go SDK
// exists): projects, branches, endpoints and operations. Used by DB-5, INF-2,
// RB-2 and WK-4.
package neon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the Neon API with a bearer key.
type Client struct {
	BaseURL string // e.g. https://console.neon.tech/api/v2
	APIKey  string
	HTTP    *http.Client
	Timeout time.Duration // per call
}

// Project is the part of GET /projects/{id} the checks read.
type Project struct {
	ID                      string    `json:"id"`
	Name                    string    `json:"name"`
	RegionID                string    `json:"region_id"`
	PGVersion               int       `json:"pg_version"`
	HistoryRetentionSeconds int64     `json:"history_retention_seconds"`
	CreatedAt               time.Time `json:"created_at"`
	Settings                struct {
		HistoryRetentionSeconds *int64 `json:"history_retention_seconds,omitempty"`
	} `json:"settings"`
}

// Retention is the PITR window of the project.
func (p Project) Retention() time.Duration {
	s := p.HistoryRetentionSeconds
	if p.Settings.HistoryRetentionSeconds != nil && *p.Settings.HistoryRetentionSeconds > s {
		s = *p.Settings.HistoryRetentionSeconds
	}
	return time.Duration(s) * time.Second
}

// Branch is a Neon branch.
type Branch struct {
	ID              string     `json:"id"`
	ProjectID       string     `json:"project_id"`
	ParentID        string     `json:"parent_id,omitempty"`
	ParentTimestamp *time.Time `json:"parent_timestamp,omitempty"`
	Name            string     `json:"name"`
	CurrentState    string     `json:"current_state"`
	Default         bool       `json:"default"`
	Protected       bool       `json:"protected"`
	CreatedAt       time.Time  `json:"created_at"`
}

// Endpoint is a compute endpoint.
type Endpoint struct {
	ID           string `json:"id"`
	Host         string `json:"host"`
	BranchID     string `json:"branch_id"`
	Type         string `json:"type"`
	CurrentState string `json:"current_state"`
	Disabled     bool   `json:"disabled"`
}

// Operation is an asynchronous control-plane action.
type Operation struct {
	ID       string `json:"id"`
	Action   string `json:"action"`
	Status   string `json:"status"`
	BranchID string `json:"branch_id"`
	Error    string `json:"error,omitempty"`
}

// ConnectionURI is returned when a branch is created with an endpoint: one
// per role/database pair, in no documented order.
type ConnectionURI struct {
	ConnectionURI string               `json:"connection_uri"`
	Parameters    ConnectionParameters `json:"connection_parameters"`
}

// ConnectionParameters are the parts of a connection URI (password left out).
type ConnectionParameters struct {
	Database string `json:"database"`
	Role     string `json:"role"`
	Host     string `json:"host"`
}

// pair returns the database and role of a connection URI: its parameters,
// else the URI's own path and user.
func (c ConnectionURI) pair() (db, role string) {
	db, role = c.Parameters.Database, c.Parameters.Role
	if db != "" && role != "" {
		return db, role
	}
	if u, err := url.Parse(c.ConnectionURI); err == nil {
		if db == "" {
			db = strings.TrimPrefix(u.Path, "/")
		}
		if role == "" && u.User != nil {
			role = u.User.Username()
		}
	}
	return db, role
}

// PickConnectionURI returns the URI of database and role among those Neon
// returned; an error lists the pairs it has (never a password).
func PickConnectionURI(uris []ConnectionURI, database, role string) (string, error) {
	var pairs []string
	for _, c := range uris {
		db, r := c.pair()
		if db == database && r == role && c.ConnectionURI != "" {
			return c.ConnectionURI, nil
		}
		pairs = append(pairs, r+"@"+db)
	}
	if len(pairs) == 0 {
		return "", fmt.Errorf("Neon returned no connection URI")
	}
	return "", fmt.Errorf("Neon returned no connection URI for role %s on database %s (it returned %s)", role, database, strings.Join(pairs, ", "))
}

// CreatedBranch is the response of POST /projects/{id}/branches.
type CreatedBranch struct {
	Branch         Branch          `json:"branch"`
	Endpoints      []Endpoint      `json:"endpoints"`
	Operations     []Operation     `json:"operations"`
	ConnectionURIs []ConnectionURI `json:"connection_uris"`
}

// APIError is a non-2xx answer.
type APIError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *APIError) Error() string {
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	return fmt.Sprintf("Neon API %s %s = %d: %s", e.Method, e.Path, e.Status, msg)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("Neon API %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("Neon API %s %s: %w", method, path, scrubURL(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("Neon API %s %s: reading body: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		if e.Message == "" {
			e.Message = excerpt(raw)
		}
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("Neon API %s %s: response is not the documented JSON (%v): %s", method, path, err, excerpt(raw))
	}
	return nil
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func scrubURL(err error) error {
	var ue *url.Error
	if e, ok := err.(*url.Error); ok {
		ue = e
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Project returns GET /projects/{id}.
func (c *Client) Project(ctx context.Context, id string) (Project, error) {
	var out struct {
		Project Project `json:"project"`
	}
	err := c.do(ctx, http.MethodGet, "/projects/"+url.PathEscape(id), nil, &out)
	if err == nil && out.Project.ID == "" {
		err = fmt.Errorf("Neon API GET /projects/%s: no project in the response", id)
	}
	return out.Project, err
}

// BranchPageSize is the limit of one branches page.
var BranchPageSize = 100

// Branches returns every branch of GET /projects/{id}/branches, following
// the cursor pagination (limit, then cursor = pagination.next).
func (c *Client) Branches(ctx context.Context, project string) ([]Branch, error) {
	var all []Branch
	cursor := ""
	seen := map[string]bool{}
	for page := 0; page < 1000; page++ {
		q := url.Values{"limit": {fmt.Sprint(BranchPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out struct {
			Branches   []Branch `json:"branches"`
			Pagination *struct {
				Next   string `json:"next"`
				Cursor string `json:"cursor"`
			} `json:"pagination"`
		}
		if err := c.do(ctx, http.MethodGet, "/projects/"+url.PathEscape(project)+"/branches?"+q.Encode(), nil, &out); err != nil {
			return all, err
		}
		all = append(all, out.Branches...)
		next := ""
		if out.Pagination != nil {
			next = out.Pagination.Next
			if next == "" {
				next = out.Pagination.Cursor
			}
		}
		if next == "" || len(out.Branches) == 0 || seen[next] {
			return all, nil
		}
		seen[next] = true
		cursor = next
	}
	return all, fmt.Errorf("Neon API GET /projects/%s/branches: more than 1000 pages", project)
}

// Endpoints returns GET /projects/{id}/endpoints.
func (c *Client) Endpoints(ctx context.Context, project string) ([]Endpoint, error) {
	var out struct {
		Endpoints []Endpoint `json:"endpoints"`
	}
	err := c.do(ctx, http.MethodGet, "/projects/"+url.PathEscape(project)+"/endpoints", nil, &out)
	return out.Endpoints, err
}

// CreateBranch creates a branch from parent at a point in time (zero: now)
// with a read-write endpoint.
func (c *Client) CreateBranch(ctx context.Context, project, name, parentID string, at time.Time) (CreatedBranch, error) {
	b := map[string]any{"name": name}
	if parentID != "" {
		b["parent_id"] = parentID
	}
	if !at.IsZero() {
		b["parent_timestamp"] = at.UTC().Format(time.RFC3339)
	}
	in := map[string]any{"branch": b, "endpoints": []map[string]any{{"type": "read_write"}}}
	var out CreatedBranch
	err := c.do(ctx, http.MethodPost, "/projects/"+url.PathEscape(project)+"/branches", in, &out)
	return out, err
}

// DeleteBranch deletes a branch.
func (c *Client) DeleteBranch(ctx context.Context, project, branch string) error {
	return c.do(ctx, http.MethodDelete, "/projects/"+url.PathEscape(project)+"/branches/"+url.PathEscape(branch), nil, nil)
}

// Operation returns GET /projects/{id}/operations/{op}.
func (c *Client) Operation(ctx context.Context, project, op string) (Operation, error) {
	var out struct {
		Operation Operation `json:"operation"`
	}
	err := c.do(ctx, http.MethodGet, "/projects/"+url.PathEscape(project)+"/operations/"+url.PathEscape(op), nil, &out)
	return out.Operation, err
}

// FindBranch returns the branch called name.
func FindBranch(bs []Branch, name string) (Branch, bool) {
	for _, b := range bs {
		if b.Name == name {
			return b, true
		}
	}
	return Branch{}, false
}
