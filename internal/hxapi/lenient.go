package hxapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Lenient decoding. The HustleXP backend's bodies are decoded without a
// fixed schema: every field a check judges is read on its own, by JSON path,
// and a field in a shape the decoder does not know is recorded as a shape
// problem under its path ("checks.stripe is a number (3), want an object
// {status} or a string") instead of failing the whole body. A check that
// judges that field reports the problem; everything it does not judge is
// tolerated whatever its type.

// Shapes records, per JSON path, the fields that came in an unknown shape.
// It is embedded in every decoded body.
type Shapes struct {
	// Raw holds every top-level key of the body as sent.
	Raw      map[string]json.RawMessage `json:"-"`
	problems map[string]string
	tree     map[string]any
}

// Problem returns "<path> is <shape seen>, want <shape>" when the field at
// path (or, for an object, one of its fields) came in an unknown shape, and
// "" otherwise.
func (s *Shapes) Problem(path string) string {
	if p, ok := s.problems[path]; ok {
		return path + " " + p
	}
	return ""
}

// ShapeProblems lists the problems at path and below it, sorted; "" lists all.
func (s *Shapes) ShapeProblems(prefix string) []string {
	var out []string
	for p, why := range s.problems {
		if prefix == "" || p == prefix || strings.HasPrefix(p, prefix+".") {
			out = append(out, p+" "+why)
		}
	}
	sort.Strings(out)
	return out
}

// Seen describes what the body holds at path: "absent", or its shape
// ("a string \"ok\"", "an object {status,latency}", "a number 1", …).
func (s *Shapes) Seen(path string) string {
	v, ok := lookup(s.tree, path)
	if !ok {
		return "absent"
	}
	return Shape(v)
}

// Why explains an empty or zero judged field: the shape problem when there
// is one, otherwise what the body holds there ("absent", "null", …).
func (s *Shapes) Why(path string) string {
	for p := path; p != ""; {
		if why := s.Problem(p); why != "" {
			return why
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return path + " is " + s.Seen(path)
}

func (s *Shapes) bad(path, seen, want string) {
	if s.problems == nil {
		s.problems = map[string]string{}
	}
	s.problems[path] = "is " + seen + ", want " + want
}

// parseTree decodes a body into generic JSON (numbers kept exact).
func parseTree(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// decodeObject parses r's body as a JSON object into s; the error names the
// endpoint, the status and shows an excerpt (only when the body is not a
// JSON object at all: everything inside is read leniently).
func decodeObject(r *Response, s *Shapes) error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return fmt.Errorf("%s = %d with an empty body, want a JSON object", r.Endpoint(), r.Status)
	}
	v, err := parseTree(r.Body)
	if err != nil {
		return fmt.Errorf("%s = %d: body is not JSON (%v; Content-Type %q): %s", r.Endpoint(), r.Status, err, r.Header.Get("Content-Type"), r.Excerpt())
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s = %d: body is %s, want a JSON object: %s", r.Endpoint(), r.Status, Shape(v), r.Excerpt())
	}
	s.tree = m
	s.Raw = map[string]json.RawMessage{}
	_ = json.Unmarshal(r.Body, &s.Raw)
	return nil
}

// lookup walks a dotted path through objects.
func lookup(root map[string]any, path string) (any, bool) {
	var cur any = root
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Shape describes a generic JSON value for messages: its type and a short
// rendering.
func Shape(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string " + strconv.Quote(short(x, 40))
	case json.Number:
		return "a number " + x.String()
	case float64:
		return "a number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "a boolean " + strconv.FormatBool(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "an object {" + short(strings.Join(keys, ","), 60) + "}"
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	}
	return fmt.Sprintf("%T", v)
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// str reads a string field; present in another shape → problem, "".
func (s *Shapes) str(path string) string {
	v, ok := lookup(s.tree, path)
	if !ok || v == nil {
		return ""
	}
	if x, ok := v.(string); ok {
		return x
	}
	s.bad(path, Shape(v), "a string")
	return ""
}

// num reads a number field (a numeric string counts); ok=false when absent,
// null or in another shape (recorded).
func (s *Shapes) num(path string) (float64, bool) {
	v, ok := lookup(s.tree, path)
	if !ok || v == nil {
		return 0, false
	}
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(x, "ms")), 64); err == nil {
			return f, true
		}
	}
	s.bad(path, Shape(v), "a number")
	return 0, false
}

// boolean reads a boolean field; nil when absent, null or in another shape.
func (s *Shapes) boolean(path string) *bool {
	v, ok := lookup(s.tree, path)
	if !ok || v == nil {
		return nil
	}
	if x, ok := v.(bool); ok {
		return &x
	}
	s.bad(path, Shape(v), "a boolean")
	return nil
}

// obj reads an object field; nil when absent or null, problem when another shape.
func (s *Shapes) obj(path string) map[string]any {
	v, ok := lookup(s.tree, path)
	if !ok || v == nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		return m
	}
	s.bad(path, Shape(v), "an object")
	return nil
}

// build reads a build identity object at path.
func (s *Shapes) build(path string) *Build {
	if s.obj(path) == nil {
		return nil
	}
	b := &Build{
		Service: s.str(path + ".service"), Revision: s.str(path + ".revision"), BuiltAt: s.str(path + ".built_at"),
		Environment: s.str(path + ".environment"), CleanSource: s.boolean(path + ".clean_source"), Source: s.str(path + ".source"),
	}
	if n, ok := s.num(path + ".schema_version"); ok {
		b.SchemaVersion = int(n)
	}
	return b
}

// paymentCreation reads a paymentCreation object at path.
func (s *Shapes) paymentCreation(path string) *PaymentCreation {
	if s.obj(path) == nil {
		return nil
	}
	p := &PaymentCreation{Mode: s.str(path + ".mode")}
	if b := s.boolean(path + ".acceptsNewCustomerMoney"); b != nil {
		p.AcceptsNewCustomerMoney = *b
	}
	return p
}

// millis reads a latency in milliseconds (number or "12ms").
func (s *Shapes) millis(path string) *Millis {
	if f, ok := s.num(path); ok {
		m := Millis(f)
		return &m
	}
	return nil
}

// ErrorMessage reads the message of an error body leniently: {"error":"…"}
// (health 401/404, webhook answers), {"error":{"message":"…"}} (tRPC),
// {"message":"…"}, or a text/plain body (the /metrics 401). Empty when the
// body holds none of these.
func ErrorMessage(body []byte) string {
	v, err := parseTree(body)
	if err != nil {
		return strings.TrimSpace(Excerpt(body, 300))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch e := m["error"].(type) {
	case string:
		return e
	case map[string]any:
		if s, ok := e["message"].(string); ok {
			return s
		}
	}
	if s, ok := m["message"].(string); ok {
		return s
	}
	return ""
}

// WebhookAnswer is the backend's answer to POST /webhooks/stripe, read
// leniently: {received, eventId} on success, {"error":"…"} on a refusal
// (captured: 400 with the Stripe SDK's message, 500 "Webhook processing
// failed").
type WebhookAnswer struct {
	Received bool
	EventID  string
	Error    string
	Shapes
}

// DecodeWebhookAnswer reads a webhook answer; only a body that is not a JSON
// object is an error.
func DecodeWebhookAnswer(r *Response) (*WebhookAnswer, error) {
	a := &WebhookAnswer{}
	if err := decodeObject(r, &a.Shapes); err != nil {
		return nil, err
	}
	if b := a.boolean("received"); b != nil {
		a.Received = *b
	}
	a.EventID = a.str("eventId")
	a.Error = ErrorMessage(r.Body)
	return a, nil
}
