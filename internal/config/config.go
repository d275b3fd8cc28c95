// Package config is the only place launchcheck reads its environment.
//
// Every variable is a documented constant declared with declare() in one of the
// vars_*.go files. Load validates all of them at once and returns an error that
// names each bad variable and what is wrong with it; it never panics.
//
// Unset and set-to-empty are different. An unset variable takes its
// declared default. A variable set to the empty string never silently takes
// the default:
//   - without a default, empty is simply no value (Get returns "");
//   - with a default and EmptyOK (the declaration documents what empty
//     means, e.g. "nothing allowed"), empty replaces the default;
//   - with a default and no meaning for empty (a number, a duration, a URL
//     of an API, a name the checks need), it is a load error naming the
//     variable, the default and how to get it (unset the variable).
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind says how a variable's value is validated and parsed.
type Kind int

const (
	KindString   Kind = iota // any text
	KindSecret               // any text, never printed
	KindURL                  // absolute http(s) URL
	KindDSN                  // postgres:// or postgresql:// URL
	KindRedisURL             // redis:// or rediss:// URL
	KindDuration             // Go duration, e.g. 30s
	KindInt                  // non-negative integer
	KindFloat                // non-negative number
	KindBool                 // 1/0/true/false
	KindList                 // comma-separated list
	KindPath                 // file or directory path
	KindDate                 // YYYY-MM-DD
	KindTarget               // rehearsal|staging|production
)

func (k Kind) String() string {
	return [...]string{"string", "secret", "url", "postgres-dsn", "redis-url", "duration", "int", "float", "bool", "list", "path", "date", "target"}[k]
}

// Var documents one environment variable.
type Var struct {
	Name    string
	Kind    Kind
	Default string
	Group   string // README section, e.g. "Database"
	Doc     string
	// Secret values are redacted everywhere; KindSecret implies Secret, and
	// DSNs/URLs may carry credentials so they are redacted to their host.
	Secret bool
	// EmptyOK: an explicitly empty value is meaningful (Doc says what it
	// means) and replaces the default. Without it, setting a variable that
	// has a default to "" is a load error.
	EmptyOK bool
}

var (
	regMu    sync.Mutex
	registry = map[string]Var{}
)

// declare registers a variable; vars_*.go files call it from init.
func declare(vs ...Var) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, v := range vs {
		if _, dup := registry[v.Name]; dup {
			panic("config: variable declared twice: " + v.Name) // programming error at init, caught by tests
		}
		if v.Kind == KindSecret {
			v.Secret = true
		}
		registry[v.Name] = v
	}
}

// Vars returns every declared variable, sorted by group then name.
func Vars() []Var {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]Var, 0, len(registry))
	for _, v := range registry {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Lookup returns the declaration of a variable.
func Lookup(name string) (Var, bool) {
	regMu.Lock()
	defer regMu.Unlock()
	v, ok := registry[name]
	return v, ok
}

// Target is where the checks point.
type Target string

const (
	Rehearsal  Target = "rehearsal"
	Staging    Target = "staging"
	Production Target = "production"
)

// Config is a validated snapshot of the environment.
type Config struct {
	Target Target
	values map[string]string // declared variables that were set (empty only when that means empty)
	onRead func(name string) // Observe's hook; nil = none
}

// Observe returns a copy of c that calls fn with the name of every variable
// read through it (Get, Has and the typed getters), and through copies made
// from it by With. The row honesty test uses it to learn which variables a
// check reads.
func (c *Config) Observe(fn func(name string)) *Config {
	n := *c
	n.onRead = fn
	return &n
}

// Load reads every declared variable through getenv and validates it. A
// getenv cannot tell unset from empty, so "" counts as unset here; FromEnv
// and With use LoadLookup, which can. All problems are reported together,
// each naming the variable.
func Load(getenv func(string) string) (*Config, error) {
	return LoadLookup(func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	})
}

// LoadLookup is Load with a lookup that tells unset (ok=false) from set to
// the empty string (see the package doc for what empty means). With
// HUSTLEXP_TARGET=production it also refuses the rehearsal-only overrides
// (rehearsalOnlyProblems).
func LoadLookup(lookup func(string) (string, bool)) (*Config, error) {
	c, err := loadLookup(lookup)
	if err != nil {
		return nil, err
	}
	if errs := rehearsalOnlyProblems(c); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// rehearsalOnly are the variables that point a run at the rehearsal's own
// stand-ins instead of the real provider: a production run must not be
// redirected by them (a TLS front on another address, a CA the public
// never trusts, a Stripe fake). Staging keeps them: `launchcheck rehearsal
// up` points a staging-mode run at the local world through exactly these.
var rehearsalOnly = []string{APIDialAddr, TLSCAFile, StripeMockURL, RepoRevision}

// rehearsalOnlyProblems names each rehearsal-only override set in a
// production configuration, and a Stripe API base other than Stripe's own
// (the provider URLs of Sentry, PagerDuty, Slack, Neon, Cloudflare, Railway,
// Grafana… stay configurable: regions and self-hosted instances are real).
func rehearsalOnlyProblems(c *Config) []error {
	if c.Target != Production {
		return nil
	}
	var errs []error
	for _, n := range rehearsalOnly {
		if c.Has(n) {
			errs = append(errs, fmt.Errorf("%s: set with HUSTLEXP_TARGET=production, but it only points the rehearsal at its own stand-ins; unset it for a production run", n))
		}
	}
	if v, _ := Lookup(StripeAPIBase); c.Has(StripeAPIBase) && strings.TrimRight(c.Get(StripeAPIBase), "/") != v.Default {
		errs = append(errs, fmt.Errorf("%s: %s with HUSTLEXP_TARGET=production, want Stripe's own %s (another base is a fake or a mock): unset it", StripeAPIBase, c.Redacted(StripeAPIBase), v.Default))
	}
	return errs
}

func loadLookup(lookup func(string) (string, bool)) (*Config, error) {
	c := &Config{values: map[string]string{}}
	var errs []error
	for _, v := range Vars() {
		got, set := lookup(v.Name)
		if !set {
			continue
		}
		raw := strings.TrimSpace(got)
		if raw == "" {
			switch {
			case v.EmptyOK:
				c.values[v.Name] = ""
			case v.Default == "":
				// no default: empty is no value, as if unset
			default:
				errs = append(errs, fmt.Errorf("%s: set but empty; an empty %s has no meaning here: unset it to use the default %q, or give a value", v.Name, v.Kind, redactValue(v, v.Default)))
			}
			continue
		}
		if err := validate(v, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.Name, err))
			continue
		}
		c.values[v.Name] = raw
	}
	c.Target = Target(c.Get(HustlexpTarget))
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// FromEnv loads the process environment (os.LookupEnv: a variable set to ""
// is empty, not unset). It is the only reader of the environment.
func FromEnv() (*Config, error) { return LoadLookup(os.LookupEnv) }

// With returns a copy of c with the given values set (validated).
// The rehearsal uses it to point a config at the world it built.
func (c *Config) With(kv map[string]string) (*Config, error) {
	merged := map[string]string{}
	for k, v := range c.values {
		merged[k] = v
	}
	for k, v := range kv {
		if _, ok := Lookup(k); !ok {
			return nil, fmt.Errorf("config: %s is not a declared variable", k)
		}
		merged[k] = v
	}
	// Not LoadLookup: a copy is how the rehearsal points a config at the
	// world it built, and how self-tests play a production run inside that
	// world; only a configuration loaded from outside (FromEnv, Load)
	// refuses the rehearsal-only overrides.
	n, err := loadLookup(func(k string) (string, bool) { v, ok := merged[k]; return v, ok })
	if n != nil {
		n.onRead = c.onRead
	}
	return n, err
}

func validate(v Var, raw string) error {
	switch v.Kind {
	case KindURL:
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("not a URL: %v", redactErr(err, v))
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("URL scheme %q, want http or https", u.Scheme)
		}
		if u.Host == "" {
			return errors.New("URL has no host")
		}
	case KindDSN:
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("not a Postgres URL: %v", redactErr(err, v))
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("DSN scheme %q, want postgres:// or postgresql://", u.Scheme)
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return errors.New("DSN has no host")
		}
	case KindRedisURL:
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("not a Redis URL: %v", redactErr(err, v))
		}
		if u.Scheme != "redis" && u.Scheme != "rediss" {
			return fmt.Errorf("Redis URL scheme %q, want redis:// or rediss://", u.Scheme)
		}
		if u.Host == "" {
			return errors.New("Redis URL has no host")
		}
	case KindDuration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("not a duration (want e.g. 30s, 5m): %q", raw)
		}
		if d <= 0 {
			return fmt.Errorf("duration %s must be positive", d)
		}
	case KindInt:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("not an integer: %q", raw)
		}
		if n < 0 {
			return fmt.Errorf("must not be negative: %d", n)
		}
	case KindFloat:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f != f {
			return fmt.Errorf("not a number: %q", raw)
		}
		if f < 0 {
			return fmt.Errorf("must not be negative: %v", f)
		}
	case KindBool:
		if _, err := strconv.ParseBool(raw); err != nil {
			return fmt.Errorf("not a boolean (want 1, 0, true or false): %q", raw)
		}
	case KindDate:
		if _, err := time.Parse("2006-01-02", raw); err != nil {
			return fmt.Errorf("not a date (want YYYY-MM-DD): %q", raw)
		}
	case KindTarget:
		switch Target(raw) {
		case Rehearsal, Staging, Production:
		default:
			return fmt.Errorf("unknown target %q, want rehearsal, staging or production", raw)
		}
	}
	return nil
}

// redactErr keeps a url.Parse error from echoing credentials.
func redactErr(err error, v Var) error {
	if v.Secret || v.Kind == KindDSN || v.Kind == KindRedisURL || v.Kind == KindURL {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err
		}
	}
	return err
}

// Get returns the value of name, or its declared default.
func (c *Config) Get(name string) string {
	if c.onRead != nil {
		c.onRead(name)
	}
	if v, ok := c.values[name]; ok {
		return v
	}
	d, ok := Lookup(name)
	if !ok {
		panic("config: undeclared variable " + name) // programming error; tests cover every use
	}
	return d.Default
}

// Has reports whether name was set explicitly to a non-empty value
// (defaults do not count).
func (c *Config) Has(name string) bool {
	if c.onRead != nil {
		c.onRead(name)
	}
	v, ok := c.values[name]
	return ok && v != ""
}

// SetEmpty reports whether name was explicitly set to the empty value
// (only variables declared EmptyOK keep an empty value).
func (c *Config) SetEmpty(name string) bool { v, ok := c.values[name]; return ok && v == "" }

// Missing returns the names among names that have neither a value nor a default.
func (c *Config) Missing(names ...string) []string {
	var out []string
	for _, n := range names {
		if c.Get(n) == "" {
			out = append(out, n)
		}
	}
	return out
}

// Duration parses a KindDuration variable (validated by Load).
func (c *Config) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(c.Get(name))
	return d
}

// Int parses a KindInt variable.
func (c *Config) Int(name string) int { n, _ := strconv.Atoi(c.Get(name)); return n }

// Float parses a KindFloat variable.
func (c *Config) Float(name string) float64 {
	f, _ := strconv.ParseFloat(c.Get(name), 64)
	return f
}

// Bool parses a KindBool variable; empty is false.
func (c *Config) Bool(name string) bool { b, _ := strconv.ParseBool(c.Get(name)); return b }

// List splits a KindList variable on commas, trimming and dropping empties.
func (c *Config) List(name string) []string {
	var out []string
	for _, s := range strings.Split(c.Get(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Live reports whether the target is a real deployment.
func (c *Config) Live() bool { return c.Target == Staging || c.Target == Production }

// Redacted returns the value of name fit for printing.
func (c *Config) Redacted(name string) string {
	val := c.Get(name)
	v, _ := Lookup(name)
	return redactValue(v, val)
}

func redactValue(v Var, val string) string {
	if val == "" {
		return ""
	}
	if v.Secret {
		return "[redacted]"
	}
	switch v.Kind {
	case KindDSN, KindRedisURL, KindURL:
		u, err := url.Parse(val)
		if err != nil {
			return "[redacted]"
		}
		if u.User != nil {
			u.User = url.User("[redacted]")
		}
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.Contains(lk, "pass") || strings.Contains(lk, "token") || strings.Contains(lk, "key") || strings.Contains(lk, "secret") {
				q.Set(k, "[redacted]")
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	return val
}

// String lists the explicitly set variables with secrets redacted.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "target=%s", c.Target)
	names := make([]string, 0, len(c.values))
	for k := range c.values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, " %s=%s", n, c.Redacted(n))
	}
	return b.String()
}

// SecretValues returns the values of every secret variable that is set; the
// output scrubber uses it as a last line of defence.
func (c *Config) SecretValues() []string {
	var out []string
	for k, val := range c.values {
		if v, _ := Lookup(k); v.Secret && len(val) >= 6 {
			out = append(out, val)
		}
	}
	return out
}

// Tuning keeps only settings that tune checks (thresholds, timeouts, flags,
// dates); endpoints, paths and credentials are dropped. The rehearsal starts
// from it so that a live target's URLs and secrets never reach the world.
func (c *Config) Tuning() *Config {
	out := &Config{Target: c.Target, values: map[string]string{}}
	for k, val := range c.values {
		v, _ := Lookup(k)
		switch v.Kind {
		case KindDuration, KindInt, KindFloat, KindBool, KindDate:
			out.values[k] = val
		}
		if k == RunID || k == RehearsalProvider || k == PostgresImage || k == RedisImage || k == RehearsalDatabaseURL || k == RehearsalRedisURL {
			out.values[k] = val
		}
	}
	return out
}
