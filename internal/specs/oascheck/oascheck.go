// Package oascheck validates HTTP exchanges against a provider's published
// OpenAPI description (kin-openapi's openapi3filter): each request a client
// sends and each response a fake gives. On top of the schema validation, a
// response field the description does not declare is reported (providers'
// schemas leave additionalProperties open, so a validator alone would let
// a fake invent fields). Only tests import it.
package oascheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"go.yaml.in/yaml/v3"

	"github.com/hustlexp/launchcheck/internal/specs"
)

// Load reads an OpenAPI 3 document (JSON or YAML) from ../shared.
func Load(rel string) (*openapi3.T, error) {
	raw, err := specs.Read(rel)
	if err != nil {
		return nil, err
	}
	l := openapi3.NewLoader()
	return l.LoadFromData(raw)
}

// LoadSwagger2 reads a Swagger 2.0 document from ../shared and converts it
// to OpenAPI 3 (openapi2conv).
func LoadSwagger2(rel string) (*openapi3.T, error) {
	raw, err := specs.Read(rel)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("%s: %v", rel, err)
	}
	js, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", rel, err)
	}
	var d2 openapi2.T
	if err := json.Unmarshal(js, &d2); err != nil {
		return nil, fmt.Errorf("%s: %v", rel, err)
	}
	d3, err := openapi2conv.ToV3(&d2)
	if err != nil {
		return nil, fmt.Errorf("%s: converting to OpenAPI 3: %v", rel, err)
	}
	return d3, nil
}

// Checker validates exchanges against doc served at base (the fake's URL
// plus the document's base path).
type Checker struct {
	router routers.Router
	mu     sync.Mutex
	errs   []string
	seen   map[string]int // "METHOD /path/template" → exchanges validated
}

// New routes doc's operations under base (e.g. "http://127.0.0.1:1234/api/v2").
func New(doc *openapi3.T, base string) (*Checker, error) {
	doc.Servers = openapi3.Servers{{URL: strings.TrimRight(base, "/")}}
	// providers' documents carry examples that do not match their own
	// schemas; those are documentation, not the API
	r, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaPatternValidation())
	if err != nil {
		return nil, err
	}
	return &Checker{router: r, seen: map[string]int{}}, nil
}

// Errors returns every violation found so far.
func (c *Checker) Errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// Seen returns how many exchanges of each operation were validated.
func (c *Checker) Seen() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.seen {
		out[k] = v
	}
	return out
}

func (c *Checker) fail(format string, a ...any) {
	c.mu.Lock()
	c.errs = append(c.errs, fmt.Sprintf(format, a...))
	c.mu.Unlock()
}

// Transport wraps base (nil: http.DefaultTransport) so that every exchange
// is validated.
func (c *Checker) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return rt{c: c, base: base}
}

type rt struct {
	c    *Checker
	base http.RoundTripper
}

func (t rt) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	clone := req.Clone(context.Background())
	if reqBody != nil {
		clone.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	t.c.Check(clone, resp.StatusCode, resp.Header, respBody)
	return resp, nil
}

// Check validates one exchange.
func (c *Checker) Check(req *http.Request, status int, h http.Header, body []byte) {
	name := req.Method + " " + req.URL.Path
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.fail("%s: no such operation in the description: %v", name, err)
		return
	}
	name = req.Method + " " + route.Path
	c.mu.Lock()
	c.seen[name]++
	c.mu.Unlock()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		c.fail("%s: request: %v", name, oneLine(err))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.fail("%s: response %d: %v", name, status, oneLine(err))
	}
	if len(body) == 0 || !strings.Contains(h.Get("Content-Type"), "json") {
		return
	}
	schema := responseSchema(route.Operation, status)
	if schema == nil {
		return
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	var unknown []string
	Undeclared(schema, v, "", &unknown)
	sort.Strings(unknown)
	for _, u := range unknown {
		c.fail("%s: response %d has field %s, which the description does not declare", name, status, u)
	}
}

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func responseSchema(op *openapi3.Operation, status int) *openapi3.SchemaRef {
	if op == nil || op.Responses == nil {
		return nil
	}
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
	}
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// Undeclared appends the JSON paths of v's object fields that schema s
// does not declare (allOf/oneOf/anyOf merged; an object with no declared
// properties, or with additionalProperties allowed, is free-form).
func Undeclared(s *openapi3.SchemaRef, v any, path string, out *[]string) {
	if s == nil || s.Value == nil {
		return
	}
	props, open, addl, items := shape(s.Value, 0)
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p, ok := props[k]
			switch {
			case ok:
				Undeclared(p, val, path+"."+k, out)
			case addl != nil:
				Undeclared(addl, val, path+"."+k, out)
			case !open:
				*out = append(*out, strings.TrimPrefix(path+"."+k, "."))
			}
		}
	case []any:
		for i, e := range x {
			Undeclared(items, e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

func shape(s *openapi3.Schema, depth int) (props map[string]*openapi3.SchemaRef, open bool, addl, items *openapi3.SchemaRef) {
	props = map[string]*openapi3.SchemaRef{}
	if depth > 20 {
		return props, true, nil, nil
	}
	for k, p := range s.Properties {
		props[k] = p
	}
	if s.AdditionalProperties.Schema != nil {
		addl = s.AdditionalProperties.Schema
	}
	if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
		open = true
	}
	items = s.Items
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range group {
			if sub == nil || sub.Value == nil {
				continue
			}
			p, o, a, it := shape(sub.Value, depth+1)
			for k, v := range p {
				if _, dup := props[k]; !dup {
					props[k] = v
				}
			}
			open = open || o
			if addl == nil {
				addl = a
			}
			if items == nil {
				items = it
			}
		}
	}
	if len(props) == 0 && addl == nil {
		open = true
	}
	return props, open, addl, items
}
