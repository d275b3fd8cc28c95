//go:build !prelaunch && !t0 && !day1 && !week1

package config

import (
	"strings"
	"testing"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Target != Rehearsal || c.Live() {
		t.Fatalf("default target = %q, want rehearsal", c.Target)
	}
	if c.Int(DBPoolMax) != 20 || c.Duration(CheckTimeout).Seconds() != 60 {
		t.Fatalf("defaults not applied: pool %d timeout %s", c.Int(DBPoolMax), c.Duration(CheckTimeout))
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		HustlexpTarget: "prod",
		BaseURL:        "ftp://example.com",
		DatabaseURL:    "mysql://u:hunter2@db/x",
		CheckTimeout:   "soon",
		DBPoolMax:      "-3",
		RehearsalKeep:  "maybe",
		LaunchDate:     "27/11/2026",
		RedisURL:       "http://cache",
	}))
	if err == nil {
		t.Fatal("malformed environment accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"HUSTLEXP_TARGET: unknown target \"prod\"",
		"HUSTLEXP_BASE_URL: URL scheme \"ftp\"",
		"HUSTLEXP_DATABASE_URL: DSN scheme \"mysql\"",
		"HUSTLEXP_CHECK_TIMEOUT: not a duration",
		"HUSTLEXP_DB_POOL_MAX: must not be negative",
		"HUSTLEXP_REHEARSAL_KEEP: not a boolean",
		"HUSTLEXP_LAUNCH_DATE: not a date",
		"HUSTLEXP_REDIS_URL: Redis URL scheme",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error leaks a password: %s", msg)
	}
}

func TestStringRedactsSecrets(t *testing.T) {
	c, err := Load(env(map[string]string{
		HustlexpTarget: "production",
		InternalAPIKey: "canary-internal-key-123",
		NeonAPIKey:     "canary-neon-key-456",
		DatabaseURL:    "postgres://ro:canary-pw-789@db.neon.tech/neondb?sslmode=require&password=canary-q-000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, canary := range []string{"canary-internal-key-123", "canary-neon-key-456", "canary-pw-789", "canary-q-000"} {
		if strings.Contains(s, canary) {
			t.Errorf("String() prints secret %q: %s", canary, s)
		}
	}
	if !strings.Contains(s, "db.neon.tech") {
		t.Errorf("String() should keep the host: %s", s)
	}
	if len(c.SecretValues()) != 2 {
		t.Errorf("SecretValues = %d values, want the 2 secrets", len(c.SecretValues()))
	}
}

func TestEveryVariableIsDocumented(t *testing.T) {
	for _, v := range Vars() {
		if strings.TrimSpace(v.Doc) == "" || v.Group == "" {
			t.Errorf("%s has no doc or group", v.Name)
		}
		if v.Default != "" {
			if err := validate(v, v.Default); err != nil {
				t.Errorf("%s: default %q is invalid: %v", v.Name, v.Default, err)
			}
		}
	}
}

func TestTuningDropsEndpointsAndSecrets(t *testing.T) {
	c, _ := Load(env(map[string]string{BaseURL: "https://api.hustlexp.app", InternalAPIKey: "k", DBPoolMax: "15"}))
	tu := c.Tuning()
	if tu.Get(BaseURL) != "" || tu.Get(InternalAPIKey) != "" || tu.Int(DBPoolMax) != 15 {
		t.Fatalf("Tuning kept %q/%q or lost the pool size %d", tu.Get(BaseURL), tu.Get(InternalAPIKey), tu.Int(DBPoolMax))
	}
}

// FuzzLoad: no input makes Load panic; a rejected value is named in the error.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{"", "production", "postgres://u:p@h/d", "30s", "-1", "%zz", "redis://", "http://[::1", "NaN", "9999999999999999999999"} {
		f.Add(s, s)
	}
	names := []string{HustlexpTarget, BaseURL, DatabaseURL, RedisURL, CheckTimeout, DBPoolMax, LaunchDate, RehearsalKeep, Replicas, InternalAPIKey}
	f.Fuzz(func(t *testing.T, a, b string) {
		kv := map[string]string{}
		for i, n := range names {
			if i%2 == 0 {
				kv[n] = a
			} else {
				kv[n] = b
			}
		}
		c, err := Load(env(kv))
		if err != nil {
			if !strings.Contains(err.Error(), "HUSTLEXP_") {
				t.Fatalf("error names no variable: %v", err)
			}
			return
		}
		_ = c.String()
		_ = c.Duration(CheckTimeout)
		_ = c.List(BaseURL)
	})
}

func lookupMap(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

// An explicitly empty variable means empty: the SEC-8 allow-list set to ""
// allows nothing (it used to fall back to the default build.environment).
func TestExplicitlyEmptyMeansEmpty(t *testing.T) {
	c, err := LoadLookup(lookupMap(map[string]string{HealthAllowedFields: ""}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.List(HealthAllowedFields); len(got) != 0 || !c.SetEmpty(HealthAllowedFields) || c.Has(HealthAllowedFields) {
		t.Fatalf("%s set to \"\" reads %q (SetEmpty %v), want empty", HealthAllowedFields, got, c.SetEmpty(HealthAllowedFields))
	}
	// With keeps the difference too
	c2, err := c.With(map[string]string{HealthAllowedFields: "build.service"})
	if err != nil || c2.Get(HealthAllowedFields) != "build.service" {
		t.Fatalf("With set: %q %v", c2.Get(HealthAllowedFields), err)
	}
	c3, err := c2.With(map[string]string{HealthAllowedFields: ""})
	if err != nil || c3.Get(HealthAllowedFields) != "" {
		t.Fatalf("With empty: %q %v, want empty", c3.Get(HealthAllowedFields), err)
	}
	// the default itself is nothing allowed
	d, _ := Load(env(nil))
	if len(d.List(HealthAllowedFields)) != 0 {
		t.Fatalf("default %s = %q, want nothing allowed", HealthAllowedFields, d.Get(HealthAllowedFields))
	}
}

// Every variable with a default, set to "": either it is declared EmptyOK and
// reads empty, or the load fails naming it and its default — never the
// default silently.
func TestEveryDefaultedVariableSetEmpty(t *testing.T) {
	n := 0
	for _, v := range Vars() {
		if v.Default == "" {
			continue
		}
		n++
		c, err := LoadLookup(lookupMap(map[string]string{v.Name: ""}))
		switch {
		case v.EmptyOK:
			if err != nil || c.Get(v.Name) != "" {
				t.Errorf("%s (EmptyOK) set to \"\": %q, %v; want empty", v.Name, c.Get(v.Name), err)
			}
		default:
			if err == nil {
				t.Errorf("%s set to \"\" silently read as %q; want a load error", v.Name, c.Get(v.Name))
				continue
			}
			if !strings.Contains(err.Error(), v.Name+": set but empty") || !strings.Contains(err.Error(), "unset it") {
				t.Errorf("%s: error %q does not name the variable and the way out", v.Name, err)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d variables with defaults checked", n)
	}
}

// A variable without a default set to "" is no value (Need reports it
// missing), and FromEnv tells unset from empty through the real environment.
func TestEmptyWithoutDefaultAndFromEnv(t *testing.T) {
	c, err := LoadLookup(lookupMap(map[string]string{BaseURL: ""}))
	if err != nil || len(c.Missing(BaseURL)) != 1 {
		t.Fatalf("empty %s: %v missing=%v", BaseURL, err, c.Missing(BaseURL))
	}
	t.Setenv(HealthAllowedFields, "")
	t.Setenv(CheckTimeout, "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), CheckTimeout+": set but empty") {
		t.Fatalf("FromEnv with %s=\"\": %v, want the set-but-empty error", CheckTimeout, err)
	}
	t.Setenv(CheckTimeout, "30s")
	c, err = FromEnv()
	if err != nil || !c.SetEmpty(HealthAllowedFields) || c.Duration(CheckTimeout).Seconds() != 30 {
		t.Fatalf("FromEnv: %v SetEmpty=%v", err, c != nil && c.SetEmpty(HealthAllowedFields))
	}
}

// A production run refuses the overrides that only point the rehearsal at
// its stand-ins; staging (the rehearsal's `rehearsal up` world) keeps them,
// and With (the rehearsal playing a production run) is not a load.
func TestProductionRefusesRehearsalOnlyOverrides(t *testing.T) {
	overrides := map[string]string{
		APIDialAddr:   "127.0.0.1:8443",
		TLSCAFile:     "/tmp/rehearsal-ca.pem",
		StripeMockURL: "http://127.0.0.1:12111",
		StripeAPIBase: "http://127.0.0.1:40123",
	}
	prod := map[string]string{HustlexpTarget: "production"}
	for k, v := range overrides {
		prod[k] = v
	}
	_, err := Load(env(prod))
	if err == nil {
		t.Fatal("production run with rehearsal-only overrides accepted")
	}
	for _, want := range []string{
		"HUSTLEXP_API_DIAL_ADDR: set with HUSTLEXP_TARGET=production",
		"HUSTLEXP_TLS_CA_FILE: set with HUSTLEXP_TARGET=production",
		"STRIPE_MOCK_URL: set with HUSTLEXP_TARGET=production",
		"STRIPE_API_BASE: http://127.0.0.1:40123 with HUSTLEXP_TARGET=production, want Stripe's own https://api.stripe.com",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	// Stripe's own base, spelled explicitly, is fine; so are other providers' URLs.
	if _, err := Load(env(map[string]string{HustlexpTarget: "production", StripeAPIBase: "https://api.stripe.com/", SentryAPIURL: "https://de.sentry.io"})); err != nil {
		t.Errorf("production with Stripe's own base and a regional Sentry refused: %v", err)
	}
	staging := map[string]string{HustlexpTarget: "staging"}
	for k, v := range overrides {
		staging[k] = v
	}
	if _, err := Load(env(staging)); err != nil {
		t.Errorf("staging (rehearsal up) refused: %v", err)
	}
	reh, err := Load(env(overrides))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reh.With(map[string]string{HustlexpTarget: "production"}); err != nil {
		t.Errorf("With (the rehearsal playing production) refused: %v", err)
	}
}
