// Package firebaseauth provides the functional flow's Firebase identities:
// test users signed up through the Identity Toolkit REST API (accounts:signUp
// with the project's web API key, exactly what a client app does) and deleted
// afterwards through the Admin API (admin.go).
//
// Live targets use Google's endpoints with FIREBASE_WEB_API_KEY,
// FIREBASE_PROJECT_ID and FIREBASE_CREDENTIALS_FILE. The rehearsal, and a
// staging stack that runs on the Firebase Auth emulator, point both at the
// emulator (or the in-process fake) through FIREBASE_AUTH_EMULATOR_HOST; a
// production target with that variable set is refused (SEC-4: production
// never trusts emulator tokens).
//
// The emulator host is taken from the configuration only, never from the
// process environment: a stray FIREBASE_AUTH_EMULATOR_HOST in the shell can
// never send live deletions to an emulator.
package firebaseauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/identitytoolkit/v1"
	"google.golang.org/api/option"
)

// GoogleToolkitURL is the Identity Toolkit base of real projects.
const GoogleToolkitURL = "https://identitytoolkit.googleapis.com"

// Identity is one signed-up test user.
type Identity struct {
	UID      string
	Email    string
	IDToken  string
	Password string
}

// Client signs test users up and deletes them.
type Client struct {
	ToolkitURL string // e.g. https://identitytoolkit.googleapis.com or http://<emulator>/identitytoolkit.googleapis.com
	ProjectID  string
	Emulator   string // emulator host:port, empty for a live project
	apiKey     string
	credsFile  string
	http       *http.Client
	timeout    time.Duration
	warm       sync.Once
	warmErr    error
}

// New builds a client from the configuration. A rehearsal or staging target
// with FIREBASE_AUTH_EMULATOR_HOST uses the emulator (sign-up and the Admin
// SDK's deletions both go there); without it, Google's endpoints. A
// production target with the variable set is an error.
func New(cfg *config.Config) (*Client, error) {
	c := &Client{
		ProjectID: cfg.Get(config.FirebaseProjectID),
		apiKey:    cfg.Get(config.FirebaseWebAPIKey),
		credsFile: cfg.Get(config.FirebaseCredentialsFile),
		timeout:   cfg.Duration(config.HTTPTimeout),
	}
	if c.timeout <= 0 {
		c.timeout = 10 * time.Second
	}
	c.http = &http.Client{Timeout: c.timeout}
	if emu := cfg.Get(config.FirebaseAuthEmulatorHost); emu != "" && cfg.Target == config.Production {
		return nil, fmt.Errorf("firebase: %s is set (%s) but HUSTLEXP_TARGET=production: production never runs on the Firebase Auth emulator (SEC-4); unset it to use the real project", config.FirebaseAuthEmulatorHost, emu)
	}
	if cfg.Get(config.FirebaseAuthEmulatorHost) != "" {
		c.Emulator = cfg.Get(config.FirebaseAuthEmulatorHost)
		c.ToolkitURL = "http://" + c.Emulator + "/identitytoolkit.googleapis.com"
		if c.apiKey == "" {
			c.apiKey = "emulator-api-key" // the emulator accepts any key
		}
	} else {
		c.ToolkitURL = GoogleToolkitURL
	}
	var missing []string
	if c.ProjectID == "" {
		missing = append(missing, config.FirebaseProjectID)
	}
	if c.Emulator == "" {
		if c.apiKey == "" {
			missing = append(missing, config.FirebaseWebAPIKey)
		}
		if c.credsFile == "" {
			missing = append(missing, config.FirebaseCredentialsFile)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("firebase: %s not set", strings.Join(missing, ", "))
	}
	return c, nil
}

// Where says where test users live, for evidence: "Firebase Auth emulator at
// host:port (FIREBASE_AUTH_EMULATOR_HOST)" or "Firebase project <id>".
func (c *Client) Where() string {
	if c.Emulator != "" {
		return "Firebase Auth emulator at " + c.Emulator + " (" + config.FirebaseAuthEmulatorHost + "), project " + c.ProjectID
	}
	return "Firebase project " + c.ProjectID + " (Google Identity Toolkit)"
}

// Error is an Identity Toolkit error response.
type Error struct {
	Op      string
	Status  int
	Message string // e.g. EMAIL_EXISTS, API key not valid…
}

func (e *Error) Error() string {
	return fmt.Sprintf("firebase %s = HTTP %d: %s", e.Op, e.Status, e.Message)
}

// NewPassword returns a random password for a test user.
func NewPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return "Lc-" + hex.EncodeToString(b)
}

// SignUp creates an email/password user and returns its ID token
// (accounts:signUp with the web API key, as a client app does).
func (c *Client) SignUp(ctx context.Context, email, password string) (*Identity, error) {
	return c.identity(ctx, "accounts:signUp", password, func(ctx context.Context, svc *identitytoolkit.Service) (string, string, string, error) {
		out, err := svc.Accounts.SignUp(&identitytoolkit.GoogleCloudIdentitytoolkitV1SignUpRequest{Email: email, Password: password}).Context(ctx).Do()
		if err != nil {
			return "", "", "", err
		}
		return out.LocalId, out.Email, out.IdToken, nil
	})
}

// SignIn signs an existing email/password user in (accounts:signInWithPassword).
func (c *Client) SignIn(ctx context.Context, email, password string) (*Identity, error) {
	return c.identity(ctx, "accounts:signInWithPassword", password, func(ctx context.Context, svc *identitytoolkit.Service) (string, string, string, error) {
		out, err := svc.Accounts.SignInWithPassword(&identitytoolkit.GoogleCloudIdentitytoolkitV1SignInWithPasswordRequest{Email: email, Password: password, ReturnSecureToken: true}).Context(ctx).Do()
		if err != nil {
			return "", "", "", err
		}
		return out.LocalId, out.Email, out.IdToken, nil
	})
}

// WaitEmulator waits (up to max) until the rehearsal's emulator answers; the
// emulator starts on first use and may take several seconds. No-op live.
func (c *Client) WaitEmulator(ctx context.Context, max time.Duration) error {
	if c.Emulator == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.Emulator+"/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("Firebase Auth emulator at %s: %w", c.Emulator, unwrapURLErr(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("Firebase Auth emulator at %s: HTTP %d: %s", c.Emulator, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return nil
}

// identity runs one client-side Identity Toolkit call (Google's generated
// v1 client with the web API key; the emulator first) and returns the
// signed-in identity.
func (c *Client) identity(ctx context.Context, op, password string, do func(context.Context, *identitytoolkit.Service) (uid, email, token string, err error)) (*Identity, error) {
	if c.Emulator != "" {
		c.warm.Do(func() { c.warmErr = c.WaitEmulator(ctx, 90*time.Second) })
		if c.warmErr != nil {
			return nil, fmt.Errorf("firebase %s: %w", op, c.warmErr)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	svc, err := identitytoolkit.NewService(ctx, option.WithEndpoint(c.ToolkitURL+"/"), option.WithAPIKey(c.apiKey),
		option.WithHTTPClient(&http.Client{Timeout: c.timeout, Transport: apiKeyOnly{c.apiKey, http.DefaultTransport}}))
	if err != nil {
		return nil, fmt.Errorf("firebase %s: %w", op, err)
	}
	uid, email, token, err := do(ctx, svc)
	if err != nil {
		var ge *googleapi.Error
		if errors.As(err, &ge) {
			msg := ge.Message
			if len(msg) > 300 {
				msg = msg[:300] + "…"
			}
			return nil, &Error{Op: op, Status: ge.Code, Message: msg}
		}
		// the URL carries the API key: report the host only
		return nil, fmt.Errorf("firebase %s at %s: %w", op, hostOf(c.ToolkitURL), unwrapURLErr(err))
	}
	if uid == "" || token == "" {
		return nil, fmt.Errorf("firebase %s: response without localId/idToken", op)
	}
	return &Identity{UID: uid, Email: email, IDToken: token, Password: password}, nil
}

// apiKeyOnly sends the web API key as the key parameter (WithHTTPClient
// makes the generated client skip its own key option) and nothing else.
type apiKeyOnly struct {
	key  string
	next http.RoundTripper
}

func (a apiKeyOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	q := r.URL.Query()
	q.Set("key", a.key)
	r.URL.RawQuery = q.Encode()
	return a.next.RoundTrip(r)
}

// Delete removes a user (Admin API accounts:delete); an absent user is fine.
func (c *Client) Delete(ctx context.Context, uid string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ac, err := NewAdmin(ctx, c.ProjectID, c.Emulator, c.credsFile)
	if err != nil {
		return err
	}
	if err := ac.DeleteUser(ctx, uid); err != nil && !IsUserNotFound(err) {
		return fmt.Errorf("firebase DeleteUser(%s): %w", uid, err)
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Host
}

func unwrapURLErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
