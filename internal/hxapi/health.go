package hxapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Build is the build identity in health bodies (§2).
type Build struct {
	SchemaVersion int    `json:"schema_version"`
	Service       string `json:"service"`
	Revision      string `json:"revision"`
	BuiltAt       string `json:"built_at"`
	Environment   string `json:"environment"`
	CleanSource   *bool  `json:"clean_source"`
	Source        string `json:"source"`
}

// PaymentCreation is the payment-creation mode (§2, §10.4).
type PaymentCreation struct {
	Mode                    string `json:"mode"`
	AcceptsNewCustomerMoney bool   `json:"acceptsNewCustomerMoney"`
}

// Health is GET /health. Current deployments send status, timestamp, build
// and paymentCreation; older ones send version, schema and environment
// instead (and error on a DB failure). Raw holds every top-level key.
type Health struct {
	Status          string                     `json:"status"`
	Timestamp       string                     `json:"timestamp"`
	Build           *Build                     `json:"build"`
	PaymentCreation *PaymentCreation           `json:"paymentCreation"`
	Version         string                     `json:"version"`     // older deployments
	Schema          string                     `json:"schema"`      // older deployments
	Environment     string                     `json:"environment"` // older deployments
	Error           string                     `json:"error"`
	Raw             map[string]json.RawMessage `json:"-"`
}

// OldShape reports whether the body is the older deployments' variant.
func (h *Health) OldShape() bool { return h.Build == nil && h.Version != "" }

// Readiness is GET /health/readiness; older deployments add dbLatencyMs.
type Readiness struct {
	Ready           bool                       `json:"ready"`
	DBLatencyMs     *Millis                    `json:"dbLatencyMs"`
	Build           *Build                     `json:"build"`
	PaymentCreation *PaymentCreation           `json:"paymentCreation"`
	Error           string                     `json:"error"`
	Raw             map[string]json.RawMessage `json:"-"`
}

// Liveness is GET /health/liveness.
type Liveness struct {
	Alive           bool                       `json:"alive"`
	Uptime          float64                    `json:"uptime"`
	Build           *Build                     `json:"build"`
	PaymentCreation *PaymentCreation           `json:"paymentCreation"`
	Raw             map[string]json.RawMessage `json:"-"`
}

// DBCheck is detailed checks.database.
type DBCheck struct {
	Status  string  `json:"status"`
	Latency *Millis `json:"latency"`
	Error   string  `json:"error"`
}

// Checks is detailed checks.
type Checks struct {
	Database DBCheck `json:"database"`
	Schema   string  `json:"schema"`
	Firebase string  `json:"firebase"`
	Stripe   string  `json:"stripe"`
}

// Pool is detailed pool (the answering instance's primary pool).
type Pool struct {
	TotalConnections int `json:"totalConnections"`
	IdleConnections  int `json:"idleConnections"`
	WaitingClients   int `json:"waitingClients"`
}

// Detailed is GET /health/detailed (bearer INTERNAL_API_KEY).
type Detailed struct {
	Status          string                     `json:"status"`
	Timestamp       string                     `json:"timestamp"`
	Checks          Checks                     `json:"checks"`
	Pool            *Pool                      `json:"pool"`
	CircuitBreakers map[string]string          `json:"circuitBreakers"`
	PaymentCreation *PaymentCreation           `json:"paymentCreation"`
	Uptime          float64                    `json:"uptime"`
	Memory          map[string]float64         `json:"memory"`
	Raw             map[string]json.RawMessage `json:"-"`
}

// ProcessStart is timestamp − uptime: when the answering process started.
// Replicas started at different moments, so it tells them apart.
func (d *Detailed) ProcessStart() (time.Time, bool) {
	ts, err := time.Parse(time.RFC3339Nano, d.Timestamp)
	if err != nil || d.Uptime <= 0 {
		return time.Time{}, false
	}
	return ts.Add(-time.Duration(d.Uptime * float64(time.Second))), true
}

// NotClosed lists "key=STATE" for every breaker not CLOSED, sorted.
func (d *Detailed) NotClosed() []string {
	var out []string
	for k, v := range d.CircuitBreakers {
		if v != "CLOSED" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

// Millis is a latency in milliseconds, accepting a JSON number or a string
// such as "12", "12.5" or "12ms".
type Millis float64

func (m *Millis) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	s = strings.TrimSpace(strings.TrimSuffix(s, "ms"))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("latency %s is not a number of milliseconds", string(b))
	}
	*m = Millis(f)
	return nil
}

// Duration converts to a time.Duration.
func (m Millis) Duration() time.Duration {
	return time.Duration(float64(m) * float64(time.Millisecond))
}

// decodeWithRaw decodes body into v and the top-level keys into raw.
func decodeWithRaw(r *Response, v any, raw *map[string]json.RawMessage) error {
	if err := r.DecodeJSON(v); err != nil {
		return err
	}
	if err := json.Unmarshal(r.Body, raw); err != nil {
		return fmt.Errorf("%s = %d: body is not a JSON object: %s", r.Endpoint(), r.Status, r.Excerpt())
	}
	return nil
}

// Health calls GET /health. A 503 with a JSON body is returned decoded (the
// caller judges it); transport and decode errors are returned as errors.
func (c *Client) Health(ctx context.Context) (*Health, *Response, error) {
	r, err := c.Get(ctx, "/health", false)
	if err != nil {
		return nil, r, err
	}
	h := &Health{}
	if err := decodeWithRaw(r, h, &h.Raw); err != nil {
		return nil, r, err
	}
	return h, r, nil
}

// Readiness calls GET /health/readiness.
func (c *Client) Readiness(ctx context.Context) (*Readiness, *Response, error) {
	r, err := c.Get(ctx, "/health/readiness", false)
	if err != nil {
		return nil, r, err
	}
	h := &Readiness{}
	if err := decodeWithRaw(r, h, &h.Raw); err != nil {
		return nil, r, err
	}
	return h, r, nil
}

// Liveness calls GET /health/liveness.
func (c *Client) Liveness(ctx context.Context) (*Liveness, *Response, error) {
	r, err := c.Get(ctx, "/health/liveness", false)
	if err != nil {
		return nil, r, err
	}
	h := &Liveness{}
	if err := decodeWithRaw(r, h, &h.Raw); err != nil {
		return nil, r, err
	}
	return h, r, nil
}

// Detailed calls GET /health/detailed with the internal bearer. 401 and 503
// without a detailed body (missing/wrong key, key not configured) are errors
// naming the cause; a 503 "degraded" body is returned decoded.
func (c *Client) Detailed(ctx context.Context) (*Detailed, *Response, error) {
	r, err := c.Get(ctx, "/health/detailed", true)
	if err != nil {
		return nil, r, err
	}
	switch r.Status {
	case 401, 403:
		return nil, r, fmt.Errorf("%s = %d: the deployment rejected %s as bearer (check the value): %s", r.Endpoint(), r.Status, "HUSTLEXP_INTERNAL_API_KEY", r.Excerpt())
	case 429:
		return nil, r, fmt.Errorf("%s = 429: rate limited (Retry-After %s): %s", r.Endpoint(), r.Header.Get("Retry-After"), r.Excerpt())
	}
	d := &Detailed{}
	if err := decodeWithRaw(r, d, &d.Raw); err != nil {
		return nil, r, err
	}
	if d.CircuitBreakers == nil && d.Status == "" {
		return nil, r, fmt.Errorf("%s = %d: not a detailed health body (no status, no circuitBreakers): %s", r.Endpoint(), r.Status, r.Excerpt())
	}
	return d, r, nil
}

// Metrics calls GET /metrics with the internal bearer and returns the text.
func (c *Client) Metrics(ctx context.Context) (string, *Response, error) {
	r, err := c.Get(ctx, "/metrics", true)
	if err != nil {
		return "", r, err
	}
	if err := r.Expect(200); err != nil {
		return "", r, err
	}
	return string(r.Body), r, nil
}

// RateLimit reads X-RateLimit-Limit / -Remaining of a response (ok=false
// when the deployment sends none).
func (r *Response) RateLimit() (limit, remaining int, ok bool) {
	l, err1 := strconv.Atoi(r.Header.Get("X-RateLimit-Limit"))
	rem, err2 := strconv.Atoi(r.Header.Get("X-RateLimit-Remaining"))
	if err1 != nil {
		return 0, 0, false
	}
	if err2 != nil {
		rem = l
	}
	return l, rem, true
}
