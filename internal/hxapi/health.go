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
// instead (and error on a DB failure). Decoded leniently (lenient.go).
type Health struct {
	Status          string
	Timestamp       string
	Build           *Build
	PaymentCreation *PaymentCreation
	Version         string // older deployments
	Schema          string // older deployments
	Environment     string // older deployments
	Error           string
	Shapes
}

// OldShape reports whether the body is the older deployments' variant.
func (h *Health) OldShape() bool { return h.Build == nil && h.Version != "" }

// Readiness is GET /health/readiness; older deployments add dbLatencyMs.
type Readiness struct {
	Ready           bool
	DBLatencyMs     *Millis
	Build           *Build
	PaymentCreation *PaymentCreation
	Error           string
	Shapes
}

// Liveness is GET /health/liveness.
type Liveness struct {
	Alive           bool
	Uptime          float64
	Build           *Build
	PaymentCreation *PaymentCreation
	Shapes
}

// Check is one entry of detailed checks. The backend sends objects
// (checks.database = {"status":"ok","latency":1}, the others {"status":…});
// a bare string (the contract's older wording) is read as the status.
type Check struct {
	Status  string
	Latency *Millis // checks.database only
	Error   string
}

// DBCheck is detailed checks.database.
type DBCheck = Check

// Checks is detailed checks.
type Checks struct {
	Database Check
	Schema   Check
	Firebase Check
	Stripe   Check
}

// Pool is detailed pool (the answering instance's primary pool). The
// backend sends no maximum.
type Pool struct {
	TotalConnections int
	IdleConnections  int
	WaitingClients   int
}

// Detailed is GET /health/detailed (bearer INTERNAL_API_KEY). A field the
// decoder could not read is nil/zero and named by Problem/ShapeProblems.
type Detailed struct {
	Status          string
	Timestamp       string
	Checks          Checks
	Pool            *Pool
	CircuitBreakers map[string]string
	PaymentCreation *PaymentCreation
	Uptime          float64
	Memory          map[string]float64
	Shapes
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

// Health calls GET /health. A 503 with a JSON body is returned decoded (the
// caller judges it); transport errors and bodies that are not a JSON object
// are returned as errors.
func (c *Client) Health(ctx context.Context) (*Health, *Response, error) {
	r, err := c.Get(ctx, "/health", false)
	if err != nil {
		return nil, r, err
	}
	h, err := DecodeHealth(r)
	return h, r, err
}

// DecodeHealth reads a /health body leniently.
func DecodeHealth(r *Response) (*Health, error) {
	h := &Health{}
	if err := decodeObject(r, &h.Shapes); err != nil {
		return nil, err
	}
	h.Status, h.Timestamp, h.Error = h.str("status"), h.str("timestamp"), h.str("error")
	h.Build, h.PaymentCreation = h.build("build"), h.paymentCreation("paymentCreation")
	h.Version, h.Schema, h.Environment = h.str("version"), h.str("schema"), h.str("environment")
	return h, nil
}

// Readiness calls GET /health/readiness.
func (c *Client) Readiness(ctx context.Context) (*Readiness, *Response, error) {
	r, err := c.Get(ctx, "/health/readiness", false)
	if err != nil {
		return nil, r, err
	}
	h, err := DecodeReadiness(r)
	return h, r, err
}

// DecodeReadiness reads a /health/readiness body leniently.
func DecodeReadiness(r *Response) (*Readiness, error) {
	h := &Readiness{}
	if err := decodeObject(r, &h.Shapes); err != nil {
		return nil, err
	}
	if b := h.boolean("ready"); b != nil {
		h.Ready = *b
	}
	h.DBLatencyMs, h.Error = h.millis("dbLatencyMs"), h.str("error")
	h.Build, h.PaymentCreation = h.build("build"), h.paymentCreation("paymentCreation")
	return h, nil
}

// Liveness calls GET /health/liveness.
func (c *Client) Liveness(ctx context.Context) (*Liveness, *Response, error) {
	r, err := c.Get(ctx, "/health/liveness", false)
	if err != nil {
		return nil, r, err
	}
	h, err := DecodeLiveness(r)
	return h, r, err
}

// DecodeLiveness reads a /health/liveness body leniently.
func DecodeLiveness(r *Response) (*Liveness, error) {
	h := &Liveness{}
	if err := decodeObject(r, &h.Shapes); err != nil {
		return nil, err
	}
	if b := h.boolean("alive"); b != nil {
		h.Alive = *b
	}
	h.Uptime, _ = h.num("uptime")
	h.Build, h.PaymentCreation = h.build("build"), h.paymentCreation("paymentCreation")
	return h, nil
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
	d, err := DecodeDetailed(r)
	return d, r, err
}

// DecodeDetailed reads a /health/detailed body leniently: each entry of
// checks, pool, circuitBreakers is read on its own; an entry in an unknown
// shape is left zero and named by d.Problem(path).
func DecodeDetailed(r *Response) (*Detailed, error) {
	d := &Detailed{}
	if err := decodeObject(r, &d.Shapes); err != nil {
		return nil, err
	}
	d.Status, d.Timestamp = d.str("status"), d.str("timestamp")
	d.Uptime, _ = d.num("uptime")
	if checks := d.obj("checks"); checks != nil {
		d.Checks = Checks{Database: d.check("checks.database"), Schema: d.check("checks.schema"),
			Firebase: d.check("checks.firebase"), Stripe: d.check("checks.stripe")}
	}
	if p := d.obj("pool"); p != nil {
		if total, ok := d.num("pool.totalConnections"); ok {
			idle, _ := d.num("pool.idleConnections")
			waiting, _ := d.num("pool.waitingClients")
			d.Pool = &Pool{TotalConnections: int(total), IdleConnections: int(idle), WaitingClients: int(waiting)}
		} else if _, bad := d.problems["pool.totalConnections"]; !bad {
			d.bad("pool.totalConnections", "absent", "a number")
		}
	}
	if cb := d.obj("circuitBreakers"); cb != nil {
		d.CircuitBreakers = map[string]string{}
		for k, v := range cb {
			switch x := v.(type) {
			case string: // the backend's shape: bare "CLOSED"/"OPEN"/"HALF_OPEN"
				d.CircuitBreakers[k] = x
			case map[string]any: // tolerated: {"state":"CLOSED"}
				if st, ok := x["state"].(string); ok {
					d.CircuitBreakers[k] = st
					continue
				}
				d.bad("circuitBreakers."+k, Shape(v), "a string such as \"CLOSED\"")
			default:
				d.bad("circuitBreakers."+k, Shape(v), "a string such as \"CLOSED\"")
			}
		}
	}
	d.PaymentCreation = d.paymentCreation("paymentCreation")
	if mem := d.obj("memory"); mem != nil {
		d.Memory = map[string]float64{}
		for k, v := range mem {
			if n, ok := v.(json.Number); ok {
				f, _ := n.Float64()
				d.Memory[k] = f
			}
		}
	}
	if d.CircuitBreakers == nil && d.Status == "" {
		return nil, fmt.Errorf("%s = %d: not a detailed health body (no status, no circuitBreakers): %s", r.Endpoint(), r.Status, r.Excerpt())
	}
	return d, nil
}

// check reads one checks.<name> entry: an object with status (and, for the
// database, latency and error), or a bare status string.
func (s *Shapes) check(path string) Check {
	v, ok := lookup(s.tree, path)
	if !ok || v == nil {
		return Check{}
	}
	switch x := v.(type) {
	case string:
		return Check{Status: x}
	case map[string]any:
		c := Check{Status: s.str(path + ".status"), Latency: s.millis(path + ".latency")}
		if e, ok := x["error"].(string); ok {
			c.Error = e
		}
		return c
	}
	s.bad(path, Shape(v), "an object {status,…}")
	return Check{}
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
