// Package railway is a small typed client of Railway's public GraphQL API
// (https://backboard.railway.com/graphql/v2). Railway has no Go SDK; this
// client sends plain GraphQL documents with variables over net/http, bounds
// every call by the caller's context and a per-call timeout, caps response
// bodies, and never includes the token in an error.
package railway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client talks to one Railway GraphQL endpoint.
type Client struct {
	URL     string
	Token   string
	Timeout time.Duration // per call; 0 means 10 s
	HTTP    *http.Client
}

// New returns a client for url with a bearer token.
func New(url, token string, timeout time.Duration) *Client {
	return &Client{URL: url, Token: token, Timeout: timeout, HTTP: &http.Client{}}
}

// Error is a GraphQL-level error Railway returned.
type Error struct {
	Op       string
	Messages []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("railway %s: %s", e.Op, strings.Join(e.Messages, "; "))
}

// Unauthorized reports whether Railway rejected the token.
func (e *Error) Unauthorized() bool {
	for _, m := range e.Messages {
		if strings.Contains(strings.ToLower(m), "not authorized") {
			return true
		}
	}
	return false
}

// IsUnauthorized reports whether err is Railway's "Not Authorized".
func IsUnauthorized(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unauthorized()
}

// Do runs one GraphQL operation named op and decodes data into out.
func (c *Client) Do(ctx context.Context, op, query string, vars map[string]any, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars, "operationName": op})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("railway %s: bad RAILWAY_API_URL: %v", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("railway %s: POST %s: %v", op, c.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("railway %s: reading response: %v", op, err)
	}
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("railway %s: HTTP %d, body is not GraphQL JSON (%s): %v", op, resp.StatusCode, snippet(raw), err)
	}
	if len(env.Errors) > 0 {
		e := &Error{Op: op}
		for _, m := range env.Errors {
			e.Messages = append(e.Messages, m.Message)
		}
		return e
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("railway %s: HTTP %d: %s", op, resp.StatusCode, snippet(raw))
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("railway %s: response has no data", op)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("railway %s: unexpected data shape: %v", op, err)
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// Named is an id + name pair (environment or service).
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type edges[T any] struct {
	Edges []struct {
		Node T `json:"node"`
	} `json:"edges"`
}

func (e edges[T]) nodes() []T {
	out := make([]T, len(e.Edges))
	for i, x := range e.Edges {
		out[i] = x.Node
	}
	return out
}

// Project is a Railway project with its environments and services.
type Project struct {
	ID           string
	Name         string
	Environments []Named
	Services     []Named
}

// Environment returns the environment named name.
func (p *Project) Environment(name string) (Named, bool) {
	for _, e := range p.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Named{}, false
}

// Service returns the service named name.
func (p *Project) Service(name string) (Named, bool) {
	for _, s := range p.Services {
		if s.Name == name {
			return s, true
		}
	}
	return Named{}, false
}

// EnvironmentNames lists the environment names.
func (p *Project) EnvironmentNames() []string {
	var out []string
	for _, e := range p.Environments {
		out = append(out, e.Name)
	}
	return out
}

// ServiceNames lists the service names.
func (p *Project) ServiceNames() []string {
	var out []string
	for _, s := range p.Services {
		out = append(out, s.Name)
	}
	return out
}

const projectQuery = `query Project($id: String!) {
  project(id: $id) {
    id
    name
    environments { edges { node { id name } } }
    services { edges { node { id name } } }
  }
}`

// Project fetches a project with its environments and services.
func (c *Client) Project(ctx context.Context, id string) (*Project, error) {
	var d struct {
		Project struct {
			ID           string       `json:"id"`
			Name         string       `json:"name"`
			Environments edges[Named] `json:"environments"`
			Services     edges[Named] `json:"services"`
		} `json:"project"`
	}
	if err := c.Do(ctx, "Project", projectQuery, map[string]any{"id": id}, &d); err != nil {
		return nil, err
	}
	return &Project{ID: d.Project.ID, Name: d.Project.Name,
		Environments: d.Project.Environments.nodes(), Services: d.Project.Services.nodes()}, nil
}

// Deployment is one deployment of a service.
type Deployment struct {
	ID            string         `json:"id"`
	Status        string         `json:"status"`
	CreatedAt     time.Time      `json:"createdAt"`
	ServiceID     string         `json:"serviceId"`
	EnvironmentID string         `json:"environmentId"`
	StaticURL     string         `json:"staticUrl"`
	CanRollback   bool           `json:"canRollback"`
	Meta          map[string]any `json:"meta"`
}

// CommitHash is meta.commitHash (the deployed git SHA), "" if unknown.
func (d Deployment) CommitHash() string { s, _ := d.Meta["commitHash"].(string); return s }

const deploymentsQuery = `query Deployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges { node { id status createdAt serviceId environmentId staticUrl canRollback meta } }
  }
}`

// Deployments lists the newest deployments (at most first) of a service in
// an environment, newest first.
func (c *Client) Deployments(ctx context.Context, projectID, environmentID, serviceID string, first int) ([]Deployment, error) {
	var d struct {
		Deployments edges[Deployment] `json:"deployments"`
	}
	in := map[string]any{"projectId": projectID, "environmentId": environmentID, "serviceId": serviceID}
	if err := c.Do(ctx, "Deployments", deploymentsQuery, map[string]any{"input": in, "first": first}, &d); err != nil {
		return nil, err
	}
	return d.Deployments.nodes(), nil
}

// LogLine is one line of deployment logs.
type LogLine struct {
	Message   string    `json:"message"`
	Severity  string    `json:"severity"`
	Timestamp time.Time `json:"timestamp"`
}

const logsQuery = `query DeploymentLogs($deploymentId: String!, $limit: Int) {
  deploymentLogs(deploymentId: $deploymentId, limit: $limit) { message severity timestamp }
}`

// DeploymentLogs returns up to limit log lines of a deployment.
func (c *Client) DeploymentLogs(ctx context.Context, deploymentID string, limit int) ([]LogLine, error) {
	var d struct {
		Logs []LogLine `json:"deploymentLogs"`
	}
	if err := c.Do(ctx, "DeploymentLogs", logsQuery, map[string]any{"deploymentId": deploymentID, "limit": limit}, &d); err != nil {
		return nil, err
	}
	return d.Logs, nil
}

const variablesQuery = `query Variables($projectId: String!, $environmentId: String!, $serviceId: String) {
  variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId)
}`

// Variables returns the rendered variables of a service in an environment.
// Callers must treat the values as secrets: never print them.
func (c *Client) Variables(ctx context.Context, projectID, environmentID, serviceID string) (map[string]string, error) {
	var d struct {
		Variables map[string]*string `json:"variables"`
	}
	if err := c.Do(ctx, "Variables", variablesQuery, map[string]any{"projectId": projectID, "environmentId": environmentID, "serviceId": serviceID}, &d); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(d.Variables))
	for k, v := range d.Variables {
		if v != nil {
			out[k] = *v
		} else {
			out[k] = ""
		}
	}
	return out, nil
}

// VarMeta describes a variable without its value.
type VarMeta struct {
	Name      string `json:"name"`
	ServiceID string `json:"serviceId"`
	IsSealed  bool   `json:"isSealed"`
}

const envVarsQuery = `query EnvironmentVariables($id: String!, $projectId: String) {
  environment(id: $id, projectId: $projectId) {
    variables(first: 10000) { edges { node { name serviceId isSealed } } }
  }
}`

// SealedNames returns the names of sealed variables of a service (and shared
// ones) in an environment: Railway never returns their values.
func (c *Client) SealedNames(ctx context.Context, projectID, environmentID, serviceID string) (map[string]bool, error) {
	var d struct {
		Environment struct {
			Variables edges[VarMeta] `json:"variables"`
		} `json:"environment"`
	}
	if err := c.Do(ctx, "EnvironmentVariables", envVarsQuery, map[string]any{"id": environmentID, "projectId": projectID}, &d); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range d.Environment.Variables.nodes() {
		if v.IsSealed && (v.ServiceID == "" || v.ServiceID == serviceID) {
			out[v.Name] = true
		}
	}
	return out, nil
}

// Domains are the domains of a service in an environment.
type Domains struct {
	ServiceDomains []string
	CustomDomains  []string
	// Targets maps a custom domain to the DNS values Railway requires for it
	// (status.dnsRecords[].requiredValue, e.g. the CNAME target).
	Targets map[string][]string
}

const domainsQuery = `query Domains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains { domain }
    customDomains { domain status { dnsRecords { hostlabel requiredValue currentValue status } } }
  }
}`

// Domains returns the *.up.railway.app and custom domains of a service.
func (c *Client) Domains(ctx context.Context, projectID, environmentID, serviceID string) (*Domains, error) {
	type dom struct {
		Domain string `json:"domain"`
		Status *struct {
			DNSRecords []struct {
				RequiredValue string `json:"requiredValue"`
			} `json:"dnsRecords"`
		} `json:"status"`
	}
	var d struct {
		Domains struct {
			ServiceDomains []dom `json:"serviceDomains"`
			CustomDomains  []dom `json:"customDomains"`
		} `json:"domains"`
	}
	if err := c.Do(ctx, "Domains", domainsQuery, map[string]any{"projectId": projectID, "environmentId": environmentID, "serviceId": serviceID}, &d); err != nil {
		return nil, err
	}
	out := &Domains{Targets: map[string][]string{}}
	for _, x := range d.Domains.ServiceDomains {
		out.ServiceDomains = append(out.ServiceDomains, x.Domain)
	}
	for _, x := range d.Domains.CustomDomains {
		out.CustomDomains = append(out.CustomDomains, x.Domain)
		if x.Status != nil {
			for _, r := range x.Status.DNSRecords {
				if r.RequiredValue != "" {
					out.Targets[x.Domain] = append(out.Targets[x.Domain], strings.TrimSuffix(r.RequiredValue, "."))
				}
			}
		}
	}
	return out, nil
}

// Target is a resolved project/environment/service triple.
type Target struct {
	Project     *Project
	Environment Named
	Service     Named
}

// Resolve finds the named environment and service in the project, with an
// error that lists what exists when one is missing.
func (c *Client) Resolve(ctx context.Context, projectID, envName, serviceName string) (*Target, error) {
	p, err := c.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	env, ok := p.Environment(envName)
	if !ok {
		return nil, fmt.Errorf("railway project %s has no environment %q (environments: %s)", p.Name, envName, strings.Join(p.EnvironmentNames(), ", "))
	}
	svc, ok := p.Service(serviceName)
	if !ok {
		return nil, fmt.Errorf("railway project %s has no service %q (services: %s)", p.Name, serviceName, strings.Join(p.ServiceNames(), ", "))
	}
	return &Target{Project: p, Environment: env, Service: svc}, nil
}

// Latest returns the newest deployment of the target, or an error if there is none.
func (c *Client) Latest(ctx context.Context, t *Target) (*Deployment, error) {
	ds, err := c.Deployments(ctx, t.Project.ID, t.Environment.ID, t.Service.ID, 1)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("railway: service %s has no deployment in environment %s", t.Service.Name, t.Environment.Name)
	}
	return &ds[0], nil
}

const replicasQuery = `query ServiceInstanceReplicas($environmentId: String!, $serviceId: String!) {
  serviceInstance(environmentId: $environmentId, serviceId: $serviceId) { numReplicas }
}`

// NumReplicas returns serviceInstance.numReplicas of a service in an
// environment; nil when Railway leaves it unset.
func (c *Client) NumReplicas(ctx context.Context, environmentID, serviceID string) (*int, error) {
	var d struct {
		ServiceInstance *struct {
			NumReplicas *int `json:"numReplicas"`
		} `json:"serviceInstance"`
	}
	if err := c.Do(ctx, "ServiceInstanceReplicas", replicasQuery, map[string]any{"environmentId": environmentID, "serviceId": serviceID}, &d); err != nil {
		return nil, err
	}
	if d.ServiceInstance == nil {
		return nil, nil
	}
	return d.ServiceInstance.NumReplicas, nil
}
