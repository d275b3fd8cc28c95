package hxapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// tRPC v11 over plain JSON (no transformer), contract §4:
//
//	query:    GET  /trpc/<router>.<proc>?input=<URL-encoded JSON>   (no input: no parameter)
//	mutation: POST /trpc/<router>.<proc>, Content-Type: application/json, raw input JSON
//	success:  200 {"result":{"data":<output>}}
//	error:    HTTP data.httpStatus, {"error":{"message","code":<JSON-RPC>,"data":{"code","httpStatus","path","applicationCode"?}}}

// TRPCRequest is one procedure call.
type TRPCRequest struct {
	Procedure string // e.g. "user.register"
	Mutation  bool   // POST (mutation) or GET (query)
	Input     any    // nil: no input
	Bearer    string // Firebase ID token; empty: anonymous
	Header    http.Header
}

// TRPCError is a failed procedure call: the tRPC error envelope when the
// server sent one, otherwise the HTTP status and an excerpt of the body.
type TRPCError struct {
	Endpoint        string // "POST /trpc/user.register"
	Procedure       string
	HTTPStatus      int    // status of the HTTP response
	Code            string // data.code, e.g. UNAUTHORIZED; empty when no envelope
	JSONRPCCode     int    // error.code, e.g. -32001
	DataHTTPStatus  int    // data.httpStatus
	Path            string // data.path
	ApplicationCode string // data.applicationCode, e.g. PAYMENT_CREATION_FROZEN
	Message         string // error.message in full (or a body excerpt without an envelope); Error() shortens it
	Envelope        bool   // the body was a tRPC error envelope
	RequestID       string
}

func (e *TRPCError) Error() string {
	if !e.Envelope {
		return fmt.Sprintf("%s = %d (not a tRPC error envelope): %s", e.Endpoint, e.HTTPStatus, e.Message)
	}
	s := fmt.Sprintf("%s = %d %s", e.Endpoint, e.HTTPStatus, e.Code)
	if e.ApplicationCode != "" {
		s += "/" + e.ApplicationCode
	}
	return s + ": " + Excerpt([]byte(e.Message), 300)
}

// TRPCCode returns the tRPC data.code of err ("" if err is not a TRPCError).
func TRPCCode(err error) string {
	var te *TRPCError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// AsTRPCError returns err as a *TRPCError.
func AsTRPCError(err error) (*TRPCError, bool) {
	var te *TRPCError
	ok := errors.As(err, &te)
	return te, ok
}

// Query calls a tRPC query and decodes result.data into out (nil: ignore).
func (c *Client) Query(ctx context.Context, proc, bearer string, input, out any) error {
	_, err := c.TRPC(ctx, TRPCRequest{Procedure: proc, Input: input, Bearer: bearer}, out)
	return err
}

// Mutate calls a tRPC mutation and decodes result.data into out (nil: ignore).
func (c *Client) Mutate(ctx context.Context, proc, bearer string, input, out any) error {
	_, err := c.TRPC(ctx, TRPCRequest{Procedure: proc, Mutation: true, Input: input, Bearer: bearer}, out)
	return err
}

// TRPC performs one procedure call. It returns the raw response (nil only
// when no request could be made) and a *TRPCError for any tRPC failure.
func (c *Client) TRPC(ctx context.Context, r TRPCRequest, out any) (*Response, error) {
	if r.Procedure == "" || strings.ContainsAny(r.Procedure, "/?# ") {
		return nil, fmt.Errorf("tRPC: bad procedure name %q", r.Procedure)
	}
	req := Request{Path: "/trpc/" + r.Procedure, Header: http.Header{}}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	var in []byte
	if r.Input != nil {
		var err error
		if in, err = json.Marshal(r.Input); err != nil {
			return nil, fmt.Errorf("tRPC %s: encode input: %w", r.Procedure, err)
		}
	}
	if r.Mutation {
		req.Method = http.MethodPost
		req.Header.Set("Content-Type", "application/json")
		if in == nil {
			in = []byte("{}")
		}
		req.Body = in
	} else {
		req.Method = http.MethodGet
		if in != nil {
			req.Path += "?input=" + url.QueryEscape(string(in))
		}
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	resp, err := c.Do(ctx, req)
	endpoint := req.Method + " /trpc/" + r.Procedure // never the query string
	if err != nil {
		return resp, err
	}
	if resp.Status == http.StatusOK {
		var env struct {
			Result *struct {
				Data json.RawMessage `json:"data"`
			} `json:"result"`
		}
		if err := json.Unmarshal(resp.Body, &env); err != nil || env.Result == nil {
			return resp, fmt.Errorf("%s = 200 but the body is not {\"result\":{\"data\":…}}: %s", endpoint, resp.Excerpt())
		}
		if out != nil {
			if len(env.Result.Data) == 0 || string(env.Result.Data) == "null" {
				return resp, fmt.Errorf("%s = 200 with no result.data, want an output", endpoint)
			}
			// only the fields out declares are read (what the step judges);
			// one of them in another shape is named with its path
			if err := json.Unmarshal(env.Result.Data, out); err != nil {
				var ute *json.UnmarshalTypeError
				if errors.As(err, &ute) {
					return resp, fmt.Errorf("%s = 200: result.data.%s is a JSON %s, want %s: %s", endpoint, ute.Field, ute.Value, ute.Type, Excerpt(env.Result.Data, 200))
				}
				return resp, fmt.Errorf("%s = 200: result.data does not decode (%v): %s", endpoint, err, Excerpt(env.Result.Data, 200))
			}
		}
		return resp, nil
	}
	return resp, decodeTRPCError(endpoint, r.Procedure, resp)
}

func decodeTRPCError(endpoint, proc string, resp *Response) *TRPCError {
	te := &TRPCError{Endpoint: endpoint, Procedure: proc, HTTPStatus: resp.Status, RequestID: resp.RequestID}
	if v, err := parseTree(resp.Body); err == nil {
		if m, ok := v.(map[string]any); ok {
			if e, ok := m["error"].(map[string]any); ok && fillEnvelope(te, e) {
				return te
			}
		}
	}
	te.Message = resp.Excerpt()
	return te
}

// fillEnvelope reads one tRPC error object ({message, code, data:{code,
// httpStatus, path?, applicationCode?}}) leniently; false when it carries no
// data.code string (not a tRPC envelope). The 415 envelope has no data.path.
func fillEnvelope(te *TRPCError, e map[string]any) bool {
	s := &Shapes{tree: map[string]any{"error": e}}
	te.Code = s.str("error.data.code")
	if te.Code == "" {
		return false
	}
	te.Envelope = true
	te.Message = s.str("error.message")
	if n, ok := s.num("error.code"); ok {
		te.JSONRPCCode = int(n)
	}
	if n, ok := s.num("error.data.httpStatus"); ok {
		te.DataHTTPStatus = int(n)
	}
	te.Path = s.str("error.data.path")
	te.ApplicationCode = s.str("error.data.applicationCode")
	return true
}

// BatchItem is one answer of a tRPC batch (?batch=1): a result or an error.
type BatchItem struct {
	Data  json.RawMessage // result.data; nil for an error
	Error *TRPCError
}

// DecodeBatch reads a batch answer: a JSON array with one envelope per
// procedure, in request order. The HTTP status is 200 when all succeed, 207
// when results are mixed, and the common status when all fail; the items
// are returned for every status. procs names the procedures (for messages).
func DecodeBatch(resp *Response, procs []string) ([]BatchItem, error) {
	v, err := parseTree(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s = %d: batch body is not JSON (%v): %s", resp.Endpoint(), resp.Status, err, resp.Excerpt())
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s = %d: batch body is %s, want an array of envelopes: %s", resp.Endpoint(), resp.Status, Shape(v), resp.Excerpt())
	}
	var raw []json.RawMessage
	_ = json.Unmarshal(resp.Body, &raw)
	out := make([]BatchItem, len(arr))
	for i, it := range arr {
		proc := ""
		if i < len(procs) {
			proc = procs[i]
		}
		m, _ := it.(map[string]any)
		if e, ok := m["error"].(map[string]any); ok {
			te := &TRPCError{Endpoint: resp.Endpoint(), Procedure: proc, HTTPStatus: resp.Status, RequestID: resp.RequestID}
			if !fillEnvelope(te, e) {
				te.Message = Shape(e)
			}
			if te.DataHTTPStatus != 0 {
				te.HTTPStatus = te.DataHTTPStatus // per item; the batch's own status is 207 when mixed
			}
			out[i].Error = te
			continue
		}
		var env struct {
			Result *struct {
				Data json.RawMessage `json:"data"`
			} `json:"result"`
		}
		if i >= len(raw) || json.Unmarshal(raw[i], &env) != nil || env.Result == nil {
			return nil, fmt.Errorf("%s = %d: batch item %d is %s, want {result} or {error}", resp.Endpoint(), resp.Status, i, Shape(it))
		}
		out[i].Data = env.Result.Data
	}
	return out, nil
}

// TRPCInconsistency reports ways an error envelope disagrees with the
// contract (HTTP status = data.httpStatus, path = procedure, JSON-RPC code
// matching data.code). Empty when consistent.
func (e *TRPCError) TRPCInconsistency() []string {
	if !e.Envelope {
		return []string{"no tRPC error envelope"}
	}
	var out []string
	if e.DataHTTPStatus != e.HTTPStatus {
		out = append(out, fmt.Sprintf("HTTP %d but data.httpStatus %d", e.HTTPStatus, e.DataHTTPStatus))
	}
	if e.Path != "" && e.Path != e.Procedure {
		out = append(out, fmt.Sprintf("data.path %q, want %q", e.Path, e.Procedure))
	}
	if want, ok := TRPCCodes[e.Code]; ok {
		if want.HTTP != e.DataHTTPStatus {
			out = append(out, fmt.Sprintf("%s with data.httpStatus %d, want %d", e.Code, e.DataHTTPStatus, want.HTTP))
		}
		if want.JSONRPC != e.JSONRPCCode {
			out = append(out, fmt.Sprintf("%s with code %d, want %d", e.Code, e.JSONRPCCode, want.JSONRPC))
		}
	} else {
		out = append(out, fmt.Sprintf("unknown data.code %q", e.Code))
	}
	return out
}

// TRPCCodeInfo describes one tRPC error code.
type TRPCCodeInfo struct {
	HTTP    int
	JSONRPC int
}

// TRPCCodes is the table of contract §4.
var TRPCCodes = map[string]TRPCCodeInfo{
	"BAD_REQUEST":            {400, -32600},
	"UNAUTHORIZED":           {401, -32001},
	"FORBIDDEN":              {403, -32003},
	"NOT_FOUND":              {404, -32004},
	"METHOD_NOT_SUPPORTED":   {405, -32005},
	"CONFLICT":               {409, -32009},
	"PRECONDITION_FAILED":    {412, -32012},
	"UNSUPPORTED_MEDIA_TYPE": {415, -32015},
	"TOO_MANY_REQUESTS":      {429, -32029},
	"INTERNAL_SERVER_ERROR":  {500, -32603},
}
