package firebaseauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Admin is the part of Firebase Auth's admin API the suite uses — look a
// user up, list users, delete a user, verify an emulator ID token — spoken
// directly over the Identity Toolkit v1 REST API
// (projects/{project}/accounts:lookup, :batchGet, :delete) that the Firebase
// Admin SDKs call themselves. It replaces firebase.google.com/go/v4, whose
// root package links Firestore, Cloud Storage and gRPC (≈460 packages) into
// every test binary for these four calls (README "Compile time").
//
// Live projects authenticate with OAuth2 from FIREBASE_CREDENTIALS_FILE (a
// service-account key) or Application Default Credentials; the emulator
// takes the fixed "Bearer owner" token, as the Admin SDKs send it.
type Admin struct {
	base     string // .../identitytoolkit.googleapis.com/v1/projects/<id>
	project  string
	emulator string
	http     *http.Client
}

// adminScopes are the OAuth2 scopes the Admin SDKs request for Auth.
var adminScopes = []string{
	"https://www.googleapis.com/auth/cloud-platform",
	"https://www.googleapis.com/auth/firebase",
	"https://www.googleapis.com/auth/identitytoolkit",
}

// ErrUserNotFound is returned when the project has no such user.
var ErrUserNotFound = errors.New("USER_NOT_FOUND")

// IsUserNotFound reports whether err says the user does not exist.
func IsUserNotFound(err error) bool { return errors.Is(err, ErrUserNotFound) }

// User is what the suite reads of an account.
type User struct {
	UID        string
	Email      string
	Disabled   bool
	CreatedMs  int64 // createdAt, Unix milliseconds
	ValidSince int64 // validSince, Unix seconds: tokens issued before are revoked
}

// NewAdmin returns the admin client for projectID: on the emulator at
// emulatorHost when it is set, else on Google with credsFile (or ADC).
func NewAdmin(ctx context.Context, projectID, emulatorHost, credsFile string) (*Admin, error) {
	if projectID == "" {
		return nil, errors.New("firebase admin: no project id")
	}
	a := &Admin{project: projectID, emulator: emulatorHost}
	if emulatorHost != "" {
		a.base = "http://" + emulatorHost + "/identitytoolkit.googleapis.com/v1/projects/" + url.PathEscape(projectID)
		a.http = &http.Client{Transport: bearer{"owner", http.DefaultTransport}}
		return a, nil
	}
	var creds *google.Credentials
	var err error
	if credsFile != "" {
		var raw []byte
		if raw, err = os.ReadFile(credsFile); err == nil {
			creds, err = google.CredentialsFromJSONWithType(ctx, raw, google.ServiceAccount, adminScopes...)
		}
	} else {
		creds, err = google.FindDefaultCredentials(ctx, adminScopes...)
	}
	if err != nil {
		return nil, fmt.Errorf("firebase admin credentials for project %s: %w", projectID, err)
	}
	a.base = GoogleToolkitURL + "/v1/projects/" + url.PathEscape(projectID)
	a.http = oauth2.NewClient(context.Background(), creds.TokenSource)
	return a, nil
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// do sends one admin call (in == nil: GET) and decodes the answer into out.
func (a *Admin) do(ctx context.Context, op, query string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	method, body := http.MethodGet, io.Reader(nil)
	if in != nil {
		raw, _ := json.Marshal(in)
		method, body = http.MethodPost, bytes.NewReader(raw)
	}
	u := a.base + "/" + op
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("firebase admin %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("firebase admin %s at %s: %w", op, hostOf(a.base), unwrapURLErr(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("firebase admin %s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if strings.HasPrefix(msg, "USER_NOT_FOUND") {
			return fmt.Errorf("firebase admin %s: %w", op, ErrUserNotFound)
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return &Error{Op: "admin " + op, Status: resp.StatusCode, Message: msg}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("firebase admin %s: response is not JSON: %v", op, err)
	}
	return nil
}

// userJSON is an account as the Identity Toolkit API writes it (numbers as
// strings).
type userJSON struct {
	LocalID    string `json:"localId"`
	Email      string `json:"email"`
	Disabled   bool   `json:"disabled"`
	CreatedAt  string `json:"createdAt"`
	ValidSince string `json:"validSince"`
}

func (u userJSON) user() User {
	c, _ := strconv.ParseInt(u.CreatedAt, 10, 64)
	v, _ := strconv.ParseInt(u.ValidSince, 10, 64)
	return User{UID: u.LocalID, Email: u.Email, Disabled: u.Disabled, CreatedMs: c, ValidSince: v}
}

// GetUser looks uid up (accounts:lookup); ErrUserNotFound when absent.
func (a *Admin) GetUser(ctx context.Context, uid string) (*User, error) {
	var out struct {
		Users []userJSON `json:"users"`
	}
	if err := a.do(ctx, "accounts:lookup", "", map[string]any{"localId": []string{uid}}, &out); err != nil {
		return nil, err
	}
	for _, u := range out.Users {
		if u.LocalID == uid {
			usr := u.user()
			return &usr, nil
		}
	}
	return nil, fmt.Errorf("firebase admin accounts:lookup %s: %w", uid, ErrUserNotFound)
}

// DeleteUser deletes uid (accounts:delete); ErrUserNotFound when absent.
func (a *Admin) DeleteUser(ctx context.Context, uid string) error {
	var out map[string]any
	return a.do(ctx, "accounts:delete", "", map[string]any{"localId": uid}, &out)
}

// ListUsers returns one page of users (accounts:batchGet, at most 1000) and
// the token of the next page ("" at the end).
func (a *Admin) ListUsers(ctx context.Context, pageToken string) ([]User, string, error) {
	q := url.Values{"maxResults": {"1000"}}
	if pageToken != "" {
		q.Set("nextPageToken", pageToken)
	}
	var out struct {
		Users         []userJSON `json:"users"`
		NextPageToken string     `json:"nextPageToken"`
	}
	if err := a.do(ctx, "accounts:batchGet", q.Encode(), nil, &out); err != nil {
		return nil, "", err
	}
	users := make([]User, len(out.Users))
	for i, u := range out.Users {
		users[i] = u.user()
	}
	return users, out.NextPageToken, nil
}

// Token is a verified ID token's subject and claims.
type Token struct {
	UID    string
	Claims map[string]any
}

// VerifyEmulatorToken verifies an ID token the emulator issued, as the
// Admin SDKs do in emulator mode: the token is unsigned, so its claims are
// judged (aud = project, iss = securetoken.google.com/<project>, sub set,
// issued in the past, not expired), then the account is looked up: a
// deleted or disabled user, or a token issued before the account's
// validSince, is refused (revocation checking). Live tokens need Google's
// signature check, which only the backend does; here it is an error.
func (a *Admin) VerifyEmulatorToken(ctx context.Context, idToken string) (*Token, error) {
	if a.emulator == "" {
		return nil, errors.New("firebase admin: only emulator tokens can be verified here")
	}
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return nil, errors.New("ID token is not a JWT (want 3 dot-separated parts)")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("ID token payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, fmt.Errorf("ID token payload: %v", err)
	}
	num := func(k string) int64 { f, _ := claims[k].(float64); return int64(f) }
	sub, _ := claims["sub"].(string)
	now := time.Now().Unix()
	switch {
	case claims["aud"] != a.project:
		return nil, fmt.Errorf("ID token has aud %v, want project %s", claims["aud"], a.project)
	case claims["iss"] != "https://securetoken.google.com/"+a.project:
		return nil, fmt.Errorf("ID token has iss %v, want https://securetoken.google.com/%s", claims["iss"], a.project)
	case sub == "" || len(sub) > 128:
		return nil, errors.New("ID token has no valid sub")
	case num("iat") > now+300:
		return nil, errors.New("ID token issued in the future")
	case num("exp") <= now:
		return nil, errors.New("ID token has expired")
	}
	u, err := a.GetUser(ctx, sub)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, fmt.Errorf("user %s is disabled", sub)
	}
	if num("iat") < u.ValidSince {
		return nil, fmt.Errorf("ID token of %s has been revoked", sub)
	}
	return &Token{UID: sub, Claims: claims}, nil
}
