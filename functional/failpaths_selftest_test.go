//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/world"
)

// One fault per failure condition of the flow's steps (issue 13): each
// fault is something the backend, Stripe or the operator's configuration
// can really do, and the row must fail with that condition's own message.

// flowFault is one fault of a FUN row. setup changes the flow before it runs
// (a front before the backend or Stripe, a configuration, a database edit);
// knob is a stand-in fault of the backend's own procedures.
type flowFault struct {
	name  string
	setup func(t *testing.T, s *standin.Server, f *Flow)
	knob  func(*standin.FlowFaults)
	want  []string
}

// runFlowFaults runs row on a fresh flow under each fault.
func runFlowFaults(t *testing.T, row func(check.T, *Flow), faults []flowFault) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	for _, tc := range faults {
		t.Run("fault="+tc.name, func(t *testing.T) {
			f := newFlow(t, env)
			if tc.setup != nil {
				tc.setup(t, s, f)
			}
			knob := tc.knob
			if knob == nil {
				knob = func(*standin.FlowFaults) {}
			}
			withFault(t, s, knob, func() {
				checktest.MustFail(t, selfTimeout, func(ct check.T) { row(ct, f) }, tc.want...)
			})
		})
	}
}

// apiSeenAs edits result.data of the backend's 200 answers to proc, as a
// backend that answers something else than it did would.
func apiSeenAs(proc string, edit func(data map[string]any)) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) {
		f.Env = checktest.JSONFront(t, f.Env, config.BaseURL, func(r *http.Request) bool { return r.URL.Path == "/trpc/"+proc },
			func(body map[string]any) {
				if res, _ := body["result"].(map[string]any); res != nil {
					if data, _ := res["data"].(map[string]any); data != nil {
						edit(data)
					}
				}
			})
	}
}

// apiFails makes the backend answer the nth call of proc (every call when
// nth is 0) with its 500 envelope; matchBody, when set, picks the calls.
func apiFails(proc string, nth int64, matchBody string) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) {
		var seen atomic.Int64
		body := fmt.Sprintf(`{"error":{"message":"Internal server error","code":-32603,"data":{"code":"INTERNAL_SERVER_ERROR","httpStatus":500,"path":%q}}}`, proc)
		f.Env = checktest.FailFront(t, f.Env, config.BaseURL, func(r *http.Request, raw []byte) bool {
			if r.URL.Path != "/trpc/"+proc || !strings.Contains(string(raw), matchBody) {
				return false
			}
			return seen.Add(1) == nth || nth == 0
		}, http.StatusInternalServerError, body)
	}
}

// stripeFront edits Stripe's 200 answers to method path (as the checks read
// them; the backend keeps talking to the Stripe fake directly).
func stripeFront(method string, path *regexp.Regexp, edit func(obj map[string]any)) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) {
		f.Env = checktest.JSONFront(t, f.Env, config.StripeAPIBase, func(r *http.Request) bool {
			return r.Method == method && path.MatchString(r.URL.Path)
		}, edit)
	}
}

// stripeFails answers the checks' Stripe calls to method path with status and a Stripe error body.
func stripeFails(method string, path *regexp.Regexp, status int, body string) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) {
		f.Env = checktest.FailFront(t, f.Env, config.StripeAPIBase, func(r *http.Request, _ []byte) bool {
			return r.Method == method && path.MatchString(r.URL.Path)
		}, status, body)
	}
}

// configured runs the flow with these variables.
func configured(vars map[string]string) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) { f.Env = f.Env.MustWith(vars) }
}

// staleDatabase points HUSTLEXP_DATABASE_URL at a copy of the database
// taken before the flow ran (a stale restore or another deployment's
// database): what the backend writes is not where the check looks.
func staleDatabase(t *testing.T, _ *standin.Server, f *Flow) {
	dsn, _ := harness.CloneDB(t)
	f.Env = f.Env.MustWith(map[string]string{config.DatabaseURL: world.ReadOnly(dsn)})
}

const (
	otherUUID    = "00000000-0000-4000-8000-0000000000f2"
	stripe500    = `{"error":{"message":"An unknown error occurred","type":"api_error"}}`
	cardDeclined = `{"error":{"code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","type":"card_error"}}`
)

func TestSelfFUN1Faults(t *testing.T) {
	runFlowFaults(t, Registration, []flowFault{
		{name: "pre-provisioned poster without its password",
			setup: configured(map[string]string{config.FunPosterEmail: "preprovisioned-poster@example.com", config.FunPosterPassword: ""}),
			want:  []string{config.FunPosterEmail + " is set but " + config.FunPosterPassword + " is not"}},
		{name: "a test user of an earlier run was left behind",
			setup: func(t *testing.T, _ *standin.Server, f *Flow) {
				fb, err := firebaseauth.New(f.Env.Cfg)
				if err != nil {
					t.Fatal(err)
				}
				left, err := fb.SignUp(t.Context(), strings.ToLower(f.tag()+"-poster@"+f.Env.Cfg.Get(config.TestEmailDomain)), firebaseauth.NewPassword())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { fb.Delete(t.Context(), left.UID) })
			},
			want: []string{"Firebase sign-up of the poster test user", "EMAIL_EXISTS"}},
		{name: "user.register ignores defaultMode", knob: func(ff *standin.FlowFaults) { ff.RegisterIgnoresMode = true },
			want: []string{"user.register of the poster returned", `role="hustler"`, "role poster"}},
		{name: "user.me answers 500", setup: apiFails("user.me", 0, ""),
			want: []string{"user.me with the poster's fresh token", "500"}},
		{name: "user.me answers another user", setup: apiSeenAs("user.me", func(d map[string]any) { d["id"] = otherUUID }),
			want: []string{"user.me returned user " + otherUUID + ", user.register returned"}},
		{name: "the database is not the deployment's", setup: staleDatabase,
			want: []string{"no users row with firebase_uid", "after user.register of the poster"}},
	})
}
