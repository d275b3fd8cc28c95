//go:build !prelaunch && !t0 && !day1 && !week1

package firebaseauth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/firebasefake"
	"github.com/hustlexp/launchcheck/internal/config"
)

func rehearsalCfg(t *testing.T, host, project string) *config.Config {
	t.Helper()
	c, err := config.Load(func(k string) string {
		switch k {
		case config.FirebaseAuthEmulatorHost:
			return host
		case config.FirebaseProjectID:
			return project
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip signs a user up, verifies its token with the Admin SDK in
// emulator mode (with revocation checking, as the backend does), deletes it,
// and proves the deleted user's token is refused.
func roundTrip(t *testing.T, host, project string) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := New(rehearsalCfg(t, host, project))
	if err != nil {
		t.Fatal(err)
	}
	email := "launchcheck-selftest-" + strings.ToLower(NewPassword()[3:11]) + "@example.com"
	id, err := c.SignUp(ctx, email, NewPassword())
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if r := c.SweepUsers(ctx, strings.Split(email, "@")[0], 0, true, 0); r.Found != 1 || len(r.Problems) > 0 {
		t.Fatalf("SweepUsers dry run (ListUsers) found %+v, want the one new user", r)
	}
	if _, err := c.SignUp(ctx, email, NewPassword()); err == nil || !strings.Contains(err.Error(), "EMAIL_EXISTS") {
		t.Fatalf("second SignUp with the same e-mail: err = %v, want EMAIL_EXISTS", err)
	}
	ac, err := NewAdmin(ctx, project, host, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ac.VerifyEmulatorToken(ctx, id.IDToken)
	if err != nil {
		t.Fatalf("VerifyEmulatorToken: %v", err)
	}
	if tok.UID != id.UID || tok.Claims["email"] != email {
		t.Fatalf("token uid/email = %s/%v, want %s/%s", tok.UID, tok.Claims["email"], id.UID, email)
	}
	other, err := NewAdmin(ctx, "some-other-project", host, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.VerifyEmulatorToken(ctx, id.IDToken); err == nil {
		t.Fatal("a token of another project verified")
	}
	if err := c.Delete(ctx, id.UID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := ac.GetUser(ctx, id.UID); !IsUserNotFound(err) {
		t.Fatalf("GetUser after Delete: err = %v, want user-not-found", err)
	}
	if _, err := ac.VerifyEmulatorToken(ctx, id.IDToken); err == nil {
		t.Fatal("the deleted user's token still verifies with revocation checking")
	}
}

func TestFakeRoundTrip(t *testing.T) {
	f := firebasefake.Run(t, "hustlexp-rehearsal", "")
	roundTrip(t, f.Host, "hustlexp-rehearsal")
	if f.Calls("signUp") != 2 || f.Calls("delete") != 1 {
		t.Fatalf("fake calls: signUp=%d delete=%d", f.Calls("signUp"), f.Calls("delete"))
	}
}

// TestEmulatorRoundTrip runs the same against the real Firebase Auth emulator
// when the firebase CLI is installed (CI installs it; see .ci/run).
func TestEmulatorRoundTrip(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() || cfg.Get(config.RehearsalFirebase) != "emulator" {
		t.Skipf("runs with %s=emulator (CI); the functional self-tests use the emulator whenever it is installed", config.RehearsalFirebase)
	}
	cli, err := FindCLI(cfg.Get(config.FirebaseCLI))
	if err != nil {
		t.Skipf("firebase CLI not installed: %v", err)
	}
	e, err := StartEmulator(cli, t.TempDir(), "hustlexp-rehearsal")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Started() {
		t.Fatal("emulator launched before the first request (must be lazy)")
	}
	roundTrip(t, e.Host, "hustlexp-rehearsal")
	t.Logf("emulator ready after %s", e.StartupTime())
}

func TestNewLiveNeedsCredentials(t *testing.T) {
	live := func(target, emulator string) *config.Config {
		c, err := config.Load(func(k string) string {
			switch k {
			case config.HustlexpTarget:
				return target
			case config.FirebaseAuthEmulatorHost:
				return emulator
			case config.FirebaseProjectID:
				if emulator != "" {
					return "demo-hustlexp"
				}
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// production on the emulator: refused, naming the variable and SEC-4
	if _, err := New(live("production", "127.0.0.1:9099")); err == nil || !strings.Contains(err.Error(), config.FirebaseAuthEmulatorHost) || !strings.Contains(err.Error(), "SEC-4") {
		t.Fatalf("production with the emulator variable: %v, want a refusal", err)
	}
	// staging on the emulator: sign-up and deletions go there (it used to call Google)
	sc, err := New(live("staging", "127.0.0.1:9099"))
	if err != nil || sc.Emulator != "127.0.0.1:9099" || !strings.Contains(sc.ToolkitURL, "127.0.0.1:9099") || !strings.Contains(sc.Where(), "emulator") {
		t.Fatalf("staging on the emulator: %+v %v", sc, err)
	}
	c, err := config.Load(func(k string) string {
		if k == config.HustlexpTarget {
			return "production"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(c)
	if err == nil {
		t.Fatal("live client without credentials was built")
	}
	for _, want := range []string{config.FirebaseProjectID, config.FirebaseWebAPIKey, config.FirebaseCredentialsFile} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestUnreachableToolkitIsAClearError(t *testing.T) {
	c, err := New(rehearsalCfg(t, "127.0.0.1:1", "p"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SignUp(context.Background(), "a@example.com", "secret-123")
	if err == nil || !strings.Contains(err.Error(), "accounts:signUp") || strings.Contains(err.Error(), "key=") {
		t.Fatalf("err = %v, want a connection error naming accounts:signUp without the key", err)
	}
}

func TestSweepUsers(t *testing.T) {
	f := firebasefake.Run(t, "p", "")
	c, err := New(rehearsalCfg(t, f.Host, "p"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range []string{"launchcheck-run1-poster@example.com", "launchcheck-run1-hustler@example.com", "launchcheck-run2-poster@example.com", "someone@example.com"} {
		if _, err := c.SignUp(ctx, e, NewPassword()); err != nil {
			t.Fatal(err)
		}
	}
	if r := c.SweepUsers(ctx, "launchcheck-run1", time.Hour, false, 0); r.Found != 0 {
		t.Fatalf("recent users swept: %+v", r)
	}
	if r := c.SweepUsers(ctx, "launchcheck-run1", 0, true, 0); r.Found != 2 || r.Deleted != 0 {
		t.Fatalf("dry run: %+v, want 2 found, none deleted", r)
	}
	if r := c.SweepUsers(ctx, "", 0, false, 0); r.Found != 3 || r.Deleted != 3 || len(r.Problems) > 0 {
		t.Fatalf("sweep: %+v, want the 3 launchcheck users deleted", r)
	}
	if left := f.Accounts(); len(left) != 1 || left[0].Email != "someone@example.com" {
		t.Fatalf("left after sweep: %+v", left)
	}
}

// VerifyEmulatorToken refuses what the Admin SDKs refuse on the emulator: a
// disabled account, a token of another project, an expired token, a token
// issued before the account's validSince, a token that is not a JWT.
func TestVerifyEmulatorTokenRefusals(t *testing.T) {
	f := firebasefake.Run(t, "p", "")
	ctx := context.Background()
	c, err := New(rehearsalCfg(t, f.Host, "p"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.SignUp(ctx, "launchcheck-verify@example.com", NewPassword())
	if err != nil {
		t.Fatal(err)
	}
	ac, err := NewAdmin(ctx, "p", f.Host, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ac.VerifyEmulatorToken(ctx, id.IDToken); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	for name, tc := range map[string]struct {
		tok  string
		want string
	}{
		"expired":      {f.Token(id.UID, id.Email, time.Now().Add(-2*time.Hour)), "expired"},
		"before valid": {f.Token(id.UID, id.Email, time.Now().Add(-30*time.Minute)), "revoked"},
		"not a JWT":    {"abc", "not a JWT"},
		"unknown user": {f.Token("nobody", "x@example.com", time.Now()), "USER_NOT_FOUND"},
	} {
		if _, err := ac.VerifyEmulatorToken(ctx, tc.tok); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	other, _ := NewAdmin(ctx, "other", f.Host, "")
	if _, err := other.VerifyEmulatorToken(ctx, id.IDToken); err == nil || !strings.Contains(err.Error(), "want project other") {
		t.Errorf("other project: %v", err)
	}
	f.SetDisabled(id.UID, true)
	if _, err := ac.VerifyEmulatorToken(ctx, id.IDToken); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("disabled user: %v", err)
	}
	if _, err := NewAdmin(ctx, "p", "", "/nonexistent/sa.json"); err == nil || !strings.Contains(err.Error(), "/nonexistent/sa.json") {
		t.Errorf("live admin with a missing key file: %v", err)
	}
}
