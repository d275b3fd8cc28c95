package firebaseauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/identitytoolkit/v1"
	"google.golang.org/api/option"
)

// Admin is the part of Firebase Auth's admin API the suite uses — look a
// user up, list users, delete a user, verify an emulator ID token — through
// Google's generated Identity Toolkit v1 client
// (google.golang.org/api/identitytoolkit/v1: projects.accounts.lookup,
// batchGet, delete), the REST API the Firebase Admin SDKs call themselves.
// It replaces firebase.google.com/go/v4, whose root package links
// Firestore, Cloud Storage and more into every test binary for these calls
// (README "Speed").
//
// Live projects authenticate from FIREBASE_CREDENTIALS_FILE (a
// service-account key) or Application Default Credentials; the emulator
// takes the fixed "Bearer owner" token, as the Admin SDKs send it.
type Admin struct {
	project  string
	emulator string
	svc      *identitytoolkit.Service
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

// adminTimeout bounds every admin call.
const adminTimeout = 30 * time.Second

// NewAdmin returns the admin client for projectID: on the emulator at
// emulatorHost when it is set, else on Google with credsFile (or ADC).
func NewAdmin(ctx context.Context, projectID, emulatorHost, credsFile string) (*Admin, error) {
	if projectID == "" {
		return nil, errors.New("firebase admin: no project id")
	}
	var opts []option.ClientOption
	switch {
	case emulatorHost != "":
		opts = []option.ClientOption{option.WithEndpoint("http://" + emulatorHost + "/identitytoolkit.googleapis.com/"),
			option.WithHTTPClient(&http.Client{Timeout: adminTimeout, Transport: bearer{"owner", http.DefaultTransport}})}
	case credsFile != "":
		if _, err := os.Stat(credsFile); err != nil {
			return nil, fmt.Errorf("firebase admin credentials for project %s: %w", projectID, err)
		}
		opts = []option.ClientOption{option.WithCredentialsFile(credsFile)}
	}
	svc, err := identitytoolkit.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase admin credentials for project %s: %w", projectID, err)
	}
	return &Admin{project: projectID, emulator: emulatorHost, svc: svc}, nil
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

// adminErr names the call; Google's USER_NOT_FOUND becomes ErrUserNotFound.
func adminErr(op string, err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		if strings.HasPrefix(ge.Message, "USER_NOT_FOUND") {
			return fmt.Errorf("firebase admin %s: %w", op, ErrUserNotFound)
		}
		msg := ge.Message
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return &Error{Op: "admin " + op, Status: ge.Code, Message: msg}
	}
	return fmt.Errorf("firebase admin %s: %w", op, unwrapURLErr(err))
}

func toUser(u *identitytoolkit.GoogleCloudIdentitytoolkitV1UserInfo) User {
	return User{UID: u.LocalId, Email: u.Email, Disabled: u.Disabled, CreatedMs: u.CreatedAt, ValidSince: u.ValidSince}
}

// GetUser looks uid up (accounts:lookup); ErrUserNotFound when absent.
func (a *Admin) GetUser(ctx context.Context, uid string) (*User, error) {
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	out, err := a.svc.Projects.Accounts_.Lookup(a.project, &identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoRequest{LocalId: []string{uid}}).Context(ctx).Do()
	if err != nil {
		return nil, adminErr("accounts:lookup", err)
	}
	for _, u := range out.Users {
		if u.LocalId == uid {
			usr := toUser(u)
			return &usr, nil
		}
	}
	return nil, fmt.Errorf("firebase admin accounts:lookup %s: %w", uid, ErrUserNotFound)
}

// DeleteUser deletes uid (accounts:delete); ErrUserNotFound when absent.
func (a *Admin) DeleteUser(ctx context.Context, uid string) error {
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	if _, err := a.svc.Projects.Accounts_.Delete(a.project, &identitytoolkit.GoogleCloudIdentitytoolkitV1DeleteAccountRequest{LocalId: uid}).Context(ctx).Do(); err != nil {
		return adminErr("accounts:delete", err)
	}
	return nil
}

// ListUsers returns one page of users (accounts:batchGet, at most 1000) and
// the token of the next page ("" at the end).
func (a *Admin) ListUsers(ctx context.Context, pageToken string) ([]User, string, error) {
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	call := a.svc.Projects.Accounts_.BatchGet(a.project).MaxResults(1000).Context(ctx)
	if pageToken != "" {
		call = call.NextPageToken(pageToken)
	}
	out, err := call.Do()
	if err != nil {
		return nil, "", adminErr("accounts:batchGet", err)
	}
	users := make([]User, len(out.Users))
	for i, u := range out.Users {
		users[i] = toUser(u)
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
