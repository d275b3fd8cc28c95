//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"context"
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
	// shared: setup changes state every flow sees (the database's triggers).
	shared bool
}

// runFlowFaults runs row on a fresh flow under each fault. Faults made in
// front of one flow (no stand-in knob, no shared state) run in parallel;
// knob faults change the shared stand-in and run one at a time after them.
func runFlowFaults(t *testing.T, row func(check.T, *Flow), faults []flowFault) {
	w, env := harness.World(t)
	s := w.Standin
	noRateLimit(t, s)
	run := func(t *testing.T, tc flowFault) {
		f := newFlow(t, env)
		if tc.setup != nil {
			tc.setup(t, s, f)
		}
		fail := func() { checktest.MustFail(t, selfTimeout, func(ct check.T) { row(ct, f) }, tc.want...) }
		if tc.knob == nil {
			fail()
			s.WaitReleases()
			return
		}
		withFault(t, s, tc.knob, fail)
	}
	t.Run("fronts", func(t *testing.T) {
		for _, tc := range faults {
			if tc.knob == nil && !tc.shared {
				t.Run("fault="+tc.name, func(t *testing.T) { t.Parallel(); run(t, tc) })
			}
		}
	})
	for _, tc := range faults {
		if tc.knob != nil || tc.shared {
			t.Run("fault="+tc.name, func(t *testing.T) { run(t, tc) })
		}
	}
}

// noRateLimit lifts the stand-in's public rate limit while t runs: the
// fault tables run dozens of flows a minute from one address, and a 429 is
// not the fault they are about.
func noRateLimit(t *testing.T, s *standin.Server) {
	t.Cleanup(s.SetFaults(func(f *standin.Faults) { f.RateLimitOff = true }))
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
	return apiRefuses(proc, nth, matchBody, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "Internal server error")
}

// apiRefuses makes the backend answer those calls with a tRPC error envelope.
func apiRefuses(proc string, nth int64, matchBody string, status int, code, msg string) func(*testing.T, *standin.Server, *Flow) {
	return func(t *testing.T, _ *standin.Server, f *Flow) {
		var seen atomic.Int64
		rpc := map[string]int{"FORBIDDEN": -32003, "INTERNAL_SERVER_ERROR": -32603}[code] // tRPC's JSON-RPC codes
		body := fmt.Sprintf(`{"error":{"message":%q,"code":%d,"data":{"code":%q,"httpStatus":%d,"path":%q}}}`, msg, rpc, code, status, proc)
		f.Env = checktest.FailFront(t, f.Env, config.BaseURL, func(r *http.Request, raw []byte) bool {
			if r.URL.Path != "/trpc/"+proc || !strings.Contains(string(raw), matchBody) {
				return false
			}
			return seen.Add(1) == nth || nth == 0
		}, status, body)
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

// staleRegisteredPoster registers a pre-provisioned poster and hustler on
// the deployment, then points HUSTLEXP_DATABASE_URL at a copy of the
// database in which the poster's row has another default_mode (another
// deployment's database, where the same account registered differently):
// user.register and user.me agree, the row the check reads does not.
func staleRegisteredPoster(t *testing.T, _ *standin.Server, f *Flow) {
	fb, err := firebaseauth.New(f.Env.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	var posterUID string
	for _, who := range []struct{ role, emailVar, passwdVar string }{
		{"poster", config.FunPosterEmail, config.FunPosterPassword},
		{"hustler", config.FunHustlerEmail, config.FunHustlerPassword},
	} {
		pw := firebaseauth.NewPassword()
		id, err := fb.SignUp(t.Context(), strings.ToLower(f.tag()+"-pre-"+who.role+"@example.com"), pw)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fb.Delete(context.Background(), id.UID) })
		vars[who.emailVar], vars[who.passwdVar] = id.Email, pw
		if who.role == "poster" {
			posterUID = id.UID
		}
	}
	pre := f.Env.MustWith(vars)
	f0 := newFlow(t, pre)
	checktest.MustPass(t, selfTimeout, func(ct check.T) { Registration(ct, f0) })
	dsn, conn := harness.CloneDB(t)
	if _, err := conn.Exec(t.Context(), `INSERT INTO users(id, firebase_uid, email, full_name, default_mode, date_of_birth, is_minor, trust_tier)
		VALUES ($1, $2, $3, 'Launchcheck poster', 'worker', DATE '1990-01-01', FALSE, 0)`, f0.Poster.UserID, posterUID, vars[config.FunPosterEmail]); err != nil {
		t.Fatal(err)
	}
	f.Env = pre.MustWith(map[string]string{config.DatabaseURL: world.ReadOnly(dsn)})
}

const (
	otherUUID    = "00000000-0000-4000-8000-0000000000f2"
	stripe500    = `{"error":{"message":"An unknown error occurred","type":"api_error"}}`
	cardDeclined = `{"error":{"code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","type":"card_error"}}`
)

func TestSelfFUN1Faults(t *testing.T) {
	runFlowFaults(t, Registration, []flowFault{
		{name: "the Firebase Auth emulator is down", setup: func(t *testing.T, s *standin.Server, f *Flow) {
			configured(map[string]string{config.FirebaseAuthEmulatorHost: checktest.ClosedPort(t)})(t, s, f)
		}, want: []string{"FUN-1 register poster and hustler: Firebase Auth emulator at 127.0.0.1:", "refused"}},
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
				t.Cleanup(func() { fb.Delete(context.Background(), left.UID) })
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
		{name: "the database copy has another default_mode", setup: staleRegisteredPoster,
			want: []string{"users row of the poster: id", "default_mode worker, want id", "default_mode poster"}},
		{name: "the database is unreachable", setup: func(t *testing.T, s *standin.Server, f *Flow) {
			configured(map[string]string{config.DatabaseURL: "postgres://launchcheck@" + checktest.ClosedPort(t) + "/hustlexp?sslmode=disable"})(t, s, f)
		}, want: []string{"SQL on 127.0.0.1:", "connect"}},
	})
}

func TestSelfFUN2Faults(t *testing.T) {
	runFlowFaults(t, TaskCreation, []flowFault{
		{name: "task.create answers 500", setup: apiFails("task.create", 0, ""),
			want: []string{"FUN-2 task.create: POST /trpc/task.create = 500"}},
		{name: "task.create answers an empty task id", knob: func(ff *standin.FlowFaults) { ff.TaskEmptyID = true },
			want: []string{"task.create returned no task id"}},
		{name: "task.create answers another price", setup: apiSeenAs("task.create", func(d map[string]any) { d["price"] = 4999 }),
			want: []string{`state "OPEN" price 4999`, "want state OPEN price 5000"}},
		{name: "task.create answers a task it did not store", setup: apiSeenAs("task.create", func(d map[string]any) { d["id"] = otherUUID }),
			want: []string{"tasks row " + otherUUID + ": no rows"}},
		{name: "task.create answers OPEN, stores MATCHING", knob: func(ff *standin.FlowFaults) { ff.TaskState = "MATCHING" },
			setup: apiSeenAs("task.create", func(d map[string]any) { d["state"] = "OPEN" }),
			want:  []string{"tasks row", "state MATCHING poster", "want state OPEN poster"}},
		{name: "escrow amount differs from the price", knob: func(ff *standin.FlowFaults) { ff.EscrowAmountDelta = 100 },
			want: []string{"state PENDING amount 5100, want PENDING amount 5000 (= price)"}},
	})
}

var (
	piPathRe       = regexp.MustCompile(`^/v1/payment_intents/pi_[^/]+$`)
	piConfirmRe    = regexp.MustCompile(`^/v1/payment_intents/pi_[^/]+/confirm$`)
	transferPathRe = regexp.MustCompile(`^/v1/transfers/tr_[^/]+$`)
)

func TestSelfFUN5Faults(t *testing.T) {
	runFlowFaults(t, PaymentIntentCreation, []flowFault{
		{name: "escrow.createPaymentIntent answers 500", setup: apiFails("escrow.createPaymentIntent", 0, ""),
			want: []string{"escrow.createPaymentIntent for task", "500"}},
		{name: "no paymentIntentId", setup: apiSeenAs("escrow.createPaymentIntent", func(d map[string]any) { delete(d, "paymentIntentId") }),
			want: []string{`escrow.createPaymentIntent output: paymentIntentId "", want pi_…`}},
		{name: "no clientSecret", setup: apiSeenAs("escrow.createPaymentIntent", func(d map[string]any) { d["clientSecret"] = nil }),
			want: []string{"clientSecret missing or not <pi id>_secret_…"}},
		{name: "escrowId of another escrow", setup: apiSeenAs("escrow.createPaymentIntent", func(d map[string]any) { d["escrowId"] = otherUUID }),
			want: []string{`escrowId "` + otherUUID + `", want`}},
		{name: "Stripe answers 500 on the PaymentIntent", setup: stripeFails(http.MethodGet, piPathRe, 500, stripe500),
			want: []string{"Stripe GET /v1/payment_intents/pi_", "HTTP 500"}},
		{name: "Stripe amount differs from the price", setup: stripeFront(http.MethodGet, piPathRe, func(o map[string]any) { o["amount"] = 4999 }),
			want: []string{"Stripe PaymentIntent amount 4999", "want the task price"}},
		{name: "currency not usd", setup: stripeFront(http.MethodGet, piPathRe, func(o map[string]any) { o["currency"] = "eur" }),
			want: []string{"currency eur, want usd"}},
		{name: "metadata.task_id of another task", setup: stripeFront(http.MethodGet, piPathRe, func(o map[string]any) {
			o["metadata"] = map[string]any{"task_id": otherUUID}
		}), want: []string{`metadata.task_id "` + otherUUID + `"`}},
	})
}

func TestSelfFUN4Faults(t *testing.T) {
	runFlowFaults(t, EscrowFunding, []flowFault{
		{name: "the card is declined", setup: stripeFails(http.MethodPost, piConfirmRe, http.StatusPaymentRequired, cardDeclined),
			want: []string{"Stripe POST /v1/payment_intents/pi_", "/confirm (as the client app): HTTP 402", "Your card was declined"}},
		{name: "the PaymentIntent needs 3-D Secure", setup: stripeFront(http.MethodPost, piConfirmRe, func(o map[string]any) { o["status"] = "requires_action" }),
			want: []string{"is requires_action after confirm, want succeeded"}},
		{name: "escrow.confirmFunding answers 500", setup: apiFails("escrow.confirmFunding", 0, ""),
			want: []string{"escrow.confirmFunding of escrow", "with succeeded PaymentIntent pi_", "500"}},
		{name: "escrow.confirmFunding answers PENDING", setup: apiSeenAs("escrow.confirmFunding", func(d map[string]any) { d["state"] = "PENDING" }),
			want: []string{`escrow.confirmFunding returned state "PENDING"`, "want FUNDED"}},
	})
}

func TestSelfFUN3Faults(t *testing.T) {
	runFlowFaults(t, TaskAcceptance, []flowFault{
		{name: "task.create of the probe answers 500", setup: apiFails("task.create", 0, "unfunded probe"),
			want: []string{"task.create of the unfunded probe task", "500"}},
		{name: "the feed answers 500", setup: apiFails("taskDiscovery.getFeed", 0, ""),
			want: []string{"taskDiscovery.getFeed by the hustler", "500"}},
		{name: "applyForTask answers 500", setup: apiFails("task.applyForTask", 0, ""),
			want: []string{"task.applyForTask by the hustler on task", "500"}},
		{name: "applyForTask answers a rejected application", setup: apiSeenAs("task.applyForTask", func(d map[string]any) { d["status"] = "rejected" }),
			want: []string{"task.applyForTask returned taskId", `status "rejected"`}},
		{name: "the probe's assignWorker answers 500", setup: apiFails("task.assignWorker", 1, ""),
			want: []string{"task.assignWorker on the unfunded probe task failed, but not as the funding guard", "500"}},
		{name: "the funded task's assignWorker answers 500", setup: apiFails("task.assignWorker", 2, ""),
			want: []string{"task.assignWorker of the hustler to funded task", "500"}},
		{name: "assignWorker answers OPEN", setup: apiSeenAs("task.assignWorker", func(d map[string]any) { d["state"] = "OPEN" }),
			want: []string{`task.assignWorker returned state "OPEN"`, "want ACCEPTED"}},
		{name: "assignWorker answers ACCEPTED, stores nothing", knob: func(ff *standin.FlowFaults) { ff.AssignNotStored = true },
			want: []string{"tasks row", "state OPEN worker_id NULL, want ACCEPTED"}},
	})
}

// FUN-3: a dispute locks the funded escrow before the assignment, and the
// backend's funding guard refuses only PENDING escrows: the task must not
// count as accepted on an escrow that is not FUNDED.
func TestSelfFUN3AcceptedOnLockedEscrow(t *testing.T) {
	w, env := harness.World(t)
	s := w.Standin
	noRateLimit(t, s)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.FundingGuardOnlyPending = true }, func() {
		f := newFlow(t, env)
		checktest.MustPass(t, selfTimeout, func(ct check.T) { EscrowFunding(ct, f) })
		if _, err := s.DB().Exec(t.Context(), `UPDATE escrows SET state = 'LOCKED_DISPUTE' WHERE id = $1`, f.EscrowID); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, selfTimeout, func(ct check.T) { TaskAcceptance(ct, f) }, "ACCEPTED while its escrow is LOCKED_DISPUTE, want FUNDED")
	})
}

func TestSelfFUN6Faults(t *testing.T) {
	presign := func(edit func(d map[string]any)) func(*testing.T, *standin.Server, *Flow) {
		return apiSeenAs("upload.getPresignedUrl", edit)
	}
	runFlowFaults(t, ProofSubmission, []flowFault{
		{name: "task.start answers 500", setup: apiFails("task.start", 0, ""),
			want: []string{"task.start by the assigned hustler", "500"}},
		{name: "getPresignedUrl answers 500", setup: apiFails("upload.getPresignedUrl", 0, ""),
			want: []string{"upload.getPresignedUrl: ", "500"}},
		{name: "no upload URL", setup: presign(func(d map[string]any) { delete(d, "uploadUrl") }),
			want: []string{"upload.getPresignedUrl returned no upload URL / receipt id"}},
		{name: "an s3:// URI instead of a presigned URL", setup: presign(func(d map[string]any) { d["uploadUrl"] = "s3://hustlexp-uploads/proofs/x.png" }),
			want: []string{"upload.getPresignedUrl returned an unusable upload URL"}},
		{name: "the storage host is unreachable", setup: func(t *testing.T, s *standin.Server, f *Flow) {
			dead := checktest.ClosedPort(t)
			presign(func(d map[string]any) { d["uploadUrl"] = "http://" + dead + "/hustlexp-uploads/x" })(t, s, f)
		}, want: []string{"PUT proof photo to the presigned URL on 127.0.0.1:", "refused"}},
		{name: "the presigned URL's signature is wrong", setup: presign(func(d map[string]any) {
			d["uploadUrl"] = strings.Replace(d["uploadUrl"].(string), "X-Amz-Signature=", "X-Amz-Signature=00", 1)
		}), want: []string{"PUT proof photo to the presigned URL on", "= 403", "SignatureDoesNotMatch"}},
		{name: "finalizeImageUpload answers 500", setup: apiFails("upload.finalizeImageUpload", 0, ""),
			want: []string{"upload.finalizeImageUpload: ", "500"}},
		{name: "finalizeImageUpload reports another checksum", setup: apiSeenAs("upload.finalizeImageUpload", func(d map[string]any) {
			d["checksumSha256"] = strings.Repeat("0", 64)
		}), want: []string{"upload.finalizeImageUpload reports checksum " + strings.Repeat("0", 64) + ", uploaded"}},
		{name: "submitProof answers 500", setup: apiFails("task.submitProof", 0, ""),
			want: []string{"task.submitProof: ", "500"}},
		{name: "submitProof answers a proof that is not SUBMITTED", setup: apiSeenAs("task.submitProof", func(d map[string]any) {
			if p, _ := d["proof"].(map[string]any); p != nil {
				p["state"] = "PENDING"
			}
		}), want: []string{"task.submitProof returned task state", `"PENDING"`, "want PROOF_SUBMITTED and a SUBMITTED proof"}},
		{name: "submitProof leaves the task ACCEPTED", knob: func(ff *standin.FlowFaults) { ff.ProofTaskNotMoved = true },
			want: []string{"after task.submitProof: proof", "is SUBMITTED", "is ACCEPTED; want SUBMITTED and PROOF_SUBMITTED"}},
	})
}

func TestSelfFUN7Faults(t *testing.T) {
	escrowSeen := func(edit func(d map[string]any)) func(*testing.T, *standin.Server, *Flow) {
		return apiSeenAs("escrow.getByTaskId", edit)
	}
	transferSeen := func(edit func(o map[string]any)) func(*testing.T, *standin.Server, *Flow) {
		return stripeFront(http.MethodGet, transferPathRe, edit)
	}
	runFlowFaults(t, EscrowRelease, []flowFault{
		{name: "reviewProof answers 500", setup: apiFails("task.reviewProof", 0, ""),
			want: []string{"task.reviewProof (ACCEPTED): ", "500"}},
		{name: "the hustler's connected account is not stored", knob: func(ff *standin.FlowFaults) { ff.ConnectIDNotStored = true },
			want: []string{"has no connected account (users.stripe_connect_id is NULL)"}},
		{name: "early release without the INV-2 trigger", shared: true, knob: func(ff *standin.FlowFaults) { ff.ReleaseBeforeComplete = true },
			setup: func(t *testing.T, s *standin.Server, f *Flow) {
				if _, err := s.DB().Exec(t.Context(), `ALTER TABLE escrows DISABLE TRIGGER escrow_released_requires_completed_task`); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if _, err := s.DB().Exec(context.Background(), `ALTER TABLE escrows ENABLE TRIGGER escrow_released_requires_completed_task`); err != nil {
						t.Errorf("re-enable escrow_released_requires_completed_task: %v", err)
					}
				})
			},
			want: []string{"is RELEASED while task", "is PROOF_SUBMITTED: released before completion (INV-2 not enforced)"}},
		{name: "task.complete answers 500", setup: apiFails("task.complete", 0, ""),
			want: []string{"task.complete: ", "500"}},
		{name: "task.complete answers PROOF_SUBMITTED", setup: apiSeenAs("task.complete", func(d map[string]any) { d["state"] = "PROOF_SUBMITTED" }),
			want: []string{`task.complete returned state "PROOF_SUBMITTED", want COMPLETED`}},
		{name: "the release job never runs", knob: func(ff *standin.FlowFaults) { ff.NoReleaseJob = true },
			setup: configured(map[string]string{config.FunReleaseTimeout: "1s"}),
			want:  []string{"escrow not RELEASED within 1s after task.complete", "is FUNDED"}},
		{name: "escrow.getByTaskId answers 500", setup: func(t *testing.T, s *standin.Server, f *Flow) {
			configured(map[string]string{config.FunReleaseTimeout: "1s"})(t, s, f)
			apiFails("escrow.getByTaskId", 0, "")(t, s, f)
		}, want: []string{"escrow not RELEASED within 1s after task.complete", "GET /trpc/escrow.getByTaskId = 500"}},
		{name: "escrow.getByTaskId refuses the poster", setup: apiRefuses("escrow.getByTaskId", 0, "", http.StatusForbidden, "FORBIDDEN",
			"Only the task's poster or worker can see its escrow"),
			want: []string{"escrow not RELEASED within", "GET /trpc/escrow.getByTaskId = 403 FORBIDDEN"}},
		{name: "stripe_transfer_id not a transfer", setup: escrowSeen(func(d map[string]any) { d["stripe_transfer_id"] = "po_manual" }),
			want: []string{"lacks payout evidence", "stripe_transfer_id po_manual, want tr_…"}},
		{name: "payout_provider not STRIPE", setup: escrowSeen(func(d map[string]any) { d["payout_provider"] = "MANUAL" }),
			want: []string{"payout_provider MANUAL, want STRIPE"}},
		{name: "provider_transfer_id differs", setup: escrowSeen(func(d map[string]any) { d["provider_transfer_id"] = "tr_other" }),
			want: []string{"provider_transfer_id tr_other ≠ stripe_transfer_id"}},
		{name: "provider_transfer_status failed", setup: escrowSeen(func(d map[string]any) { d["provider_transfer_status"] = "failed" }),
			want: []string{"provider_transfer_status failed, want submitted|processing|paid"}},
		{name: "released_at not set", setup: escrowSeen(func(d map[string]any) { d["released_at"] = nil }),
			want: []string{"released_at not set"}},
		{name: "Stripe answers 500 on the transfer", setup: stripeFails(http.MethodGet, transferPathRe, 500, stripe500),
			want: []string{"Stripe GET /v1/transfers/tr_", "HTTP 500"}},
		{name: "transfer of another escrow", setup: transferSeen(func(o map[string]any) {
			o["metadata"] = map[string]any{"escrow_id": otherUUID}
		}), want: []string{`metadata.escrow_id "` + otherUUID + `"`, "want escrow"}},
		{name: "transfer reversed", setup: transferSeen(func(o map[string]any) { o["reversed"] = true }),
			want: []string{"reversed true", "not reversed"}},
		{name: "transfer above the escrow", setup: transferSeen(func(o map[string]any) { o["amount"] = 500000 }),
			want: []string{"amount 500000", "0 < amount ≤"}},
		{name: "transfer to another connected account", setup: transferSeen(func(o map[string]any) { o["destination"] = "acct_1OtherAccount0000" }),
			want: []string{`destination "acct_1OtherAccount0000", want the hustler's connected account "acct_`, "the payout went elsewhere"}},
	})
}

// A row asked of a flow that was already cleaned up, or a row the flow does
// not have, fails naming it (never runs on a torn-down state).
func TestSelfFlowMisuse(t *testing.T) {
	_, env := harness.World(t)
	f := newFlow(t, env)
	checktest.MustFail(t, selfTimeout, func(ct check.T) { f.Row(ct, "FUN-9") }, "unknown functional row FUN-9")
	f.Close()
	checktest.MustFail(t, selfTimeout, func(ct check.T) { f.Row(ct, "FUN-1") }, "FUN-1: the functional flow was already cleaned up")
}
