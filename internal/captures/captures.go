// Package captures reads the recorded exchanges of the real HustleXP backend
// (../shared/captures/hustlexp/ next to the project: README.md there) for
// the contract tests, and compares JSON structures (keys and value types).
// Nothing from the captures is copied into the project: tests read them in
// place and skip, saying so, when the directory is absent.
package captures

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Rel is the captures directory relative to the project root.
const Rel = "../shared/captures/hustlexp"

// Dir returns the captures directory, or skips t naming what is missing.
func Dir(t testing.TB) string {
	t.Helper()
	root, err := projectRoot()
	if err != nil {
		t.Skipf("contract test skipped: %v", err)
	}
	d := filepath.Clean(filepath.Join(root, Rel))
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Skipf("contract test skipped: the captures of the real backend are not at %s (%s next to the project root)", d, Rel)
	}
	return d
}

func projectRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// Exchange is one recorded request and response of an .http capture.
type Exchange struct {
	File, Note   string
	Method, Path string            // request line
	ReqHeader    map[string]string // headers the capturer set (lower-case names)
	ReqBody      string
	Status       int
	Header       map[string]string // response headers, lower-case names
	Body         []byte            // the raw body (authoritative bytes)
}

// JSON decodes the body into generic JSON (numbers kept exact).
func (e Exchange) JSON() (any, error) {
	d := json.NewDecoder(bytes.NewReader(e.Body))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// Load parses one .http capture file (several exchanges separated by a
// line of '=').
func Load(t testing.TB, name string) []Exchange {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("read capture %s: %v", name, err)
	}
	var out []Exchange
	for _, part := range splitExchanges(string(b)) {
		e, err := parseExchange(part)
		if err != nil {
			t.Fatalf("capture %s: %v", name, err)
		}
		e.File = name
		out = append(out, e)
	}
	if len(out) == 0 {
		t.Fatalf("capture %s holds no exchange", name)
	}
	return out
}

func splitExchanges(s string) []string {
	var parts []string
	var cur []string
	for _, l := range strings.Split(s, "\n") {
		if len(l) >= 20 && strings.Trim(l, "=") == "" {
			parts = append(parts, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	return append(parts, strings.Join(cur, "\n"))
}

func parseExchange(s string) (Exchange, error) {
	e := Exchange{ReqHeader: map[string]string{}, Header: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	section := ""
	stage := 0 // per section: 0 start line, 1 headers, 2 body
	var body []string
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# ") && section == "":
			e.Note = strings.TrimPrefix(l, "# ")
			continue
		case l == "### REQUEST":
			section, stage = "req", 0
			continue
		case l == "### RESPONSE":
			section, stage = "resp", 0
			continue
		case strings.HasPrefix(l, "### RESPONSE BODY"):
			section = "pretty"
			continue
		}
		switch section {
		case "req":
			switch {
			case stage == 0:
				f := strings.Fields(l)
				if len(f) < 2 {
					return e, fmt.Errorf("bad request line %q", l)
				}
				e.Method, e.Path, stage = f[0], f[1], 1
			case stage == 1 && l == "":
				stage = 2
			case stage == 1:
				k, v, _ := strings.Cut(l, ":")
				e.ReqHeader[strings.ToLower(k)] = strings.TrimSpace(v)
			case stage == 2 && strings.TrimSpace(l) != "":
				e.ReqBody += l
			}
		case "resp":
			switch {
			case stage == 0:
				f := strings.Fields(l)
				if len(f) < 2 {
					return e, fmt.Errorf("bad status line %q", l)
				}
				e.Status, _ = strconv.Atoi(f[1])
				stage = 1
			case stage == 1 && l == "":
				stage = 2
			case stage == 1:
				k, v, _ := strings.Cut(l, ":")
				e.Header[strings.ToLower(k)] = strings.TrimSpace(v)
			case stage == 2:
				body = append(body, l)
			}
		}
	}
	e.Body = []byte(strings.TrimRight(strings.Join(body, "\n"), "\n"))
	if e.Method == "" || e.Status == 0 {
		return e, fmt.Errorf("exchange without request or status line")
	}
	return e, nil
}

// ReadJSON reads a .json capture into generic JSON.
func ReadJSON(t testing.TB, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("read capture %s: %v", name, err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("capture %s is not JSON: %v", name, err)
	}
	return v
}

// Kind is the JSON type of a value: object, array, string, number, boolean, null.
func Kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64, int, int64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// CompareStructure lists how got's JSON structure differs from want's: a
// key missing or extra, a value of another type, at its JSON path. Array
// elements are compared with the captured element at the same index (or
// the last one when got is longer). Paths in omit may be absent from got
// (deliberate, documented deviations of a healthy stand-in); "null" in
// want matches any type in got (nullable fields).
func CompareStructure(got, want any, omit ...string) []string {
	om := map[string]bool{}
	for _, o := range omit {
		om[o] = true
	}
	var diffs []string
	var walk func(path string, g, w any)
	walk = func(path string, g, w any) {
		name := path
		if name == "" {
			name = "(body)"
		}
		if w == nil || g == nil {
			if (w == nil) != (g == nil) && w != nil {
				diffs = append(diffs, fmt.Sprintf("%s is null, captured %s", name, Kind(w)))
			}
			return
		}
		if Kind(g) != Kind(w) {
			diffs = append(diffs, fmt.Sprintf("%s is %s, captured %s", name, Kind(g), Kind(w)))
			return
		}
		switch wv := w.(type) {
		case map[string]any:
			gv := g.(map[string]any)
			keys := map[string]bool{}
			for k := range wv {
				keys[k] = true
			}
			for k := range gv {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				p := k
				if path != "" {
					p = path + "." + k
				}
				gx, gok := gv[k]
				wx, wok := wv[k]
				switch {
				case !gok && om[p]:
				case !gok:
					diffs = append(diffs, fmt.Sprintf("%s missing (captured %s)", p, Kind(wx)))
				case !wok:
					diffs = append(diffs, fmt.Sprintf("%s not in the capture (%s)", p, Kind(gx)))
				default:
					walk(p, gx, wx)
				}
			}
		case []any:
			gv := g.([]any)
			if len(wv) == 0 {
				return
			}
			for i, gx := range gv {
				wx := wv[min(i, len(wv)-1)]
				walk(fmt.Sprintf("%s[%d]", path, i), gx, wx)
			}
		}
	}
	walk("", got, want)
	return diffs
}
