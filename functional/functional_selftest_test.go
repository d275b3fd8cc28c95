//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Self-tests: every FUN row passes on the healthy rehearsal and fails, with a
// message naming the problem, on each fault of the stand-in's flow. Each run
// uses a fresh Flow (its own users, task, escrow) against the shared
// stand-in; faults are flipped on the stand-in and restored right after.

const selfTimeout = 90 * time.Second

var selfSeq atomic.Int64

func newFlow(t *testing.T, env *target.Env) *Flow {
	f := NewFlow(env)
	f.Suffix = fmt.Sprintf("self%d", selfSeq.Add(1))
	t.Cleanup(func() { f.Close() })
	return f
}

// withFault runs fn with the stand-in's flow faults changed.
func withFault(t *testing.T, s *standin.Server, set func(*standin.FlowFaults), fn func()) {
	t.Helper()
	restore := s.SetFlowFaults(set)
	defer restore()
	fn()
	s.WaitReleases()
}

func mustPassRow(t *testing.T, env *target.Env, row func(check.T, *Flow)) *Flow {
	t.Helper()
	f := newFlow(t, env)
	checktest.MustPass(t, selfTimeout, func(ct check.T) { row(ct, f) })
	return f
}

func mustFailRow(t *testing.T, env *target.Env, row func(check.T, *Flow), wants ...string) checktest.Result {
	t.Helper()
	f := newFlow(t, env)
	return checktest.MustFail(t, selfTimeout, func(ct check.T) { row(ct, f) }, wants...)
}

// emulatorAdmin is the admin client of the rehearsal's Firebase Auth, with
// a 30 s budget for the test's lookups.
func emulatorAdmin(t *testing.T, env *target.Env) (context.Context, *firebaseauth.Admin) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	ac, err := firebaseauth.NewAdmin(ctx, env.Cfg.Get(config.FirebaseProjectID), env.Cfg.Get(config.FirebaseAuthEmulatorHost), "")
	if err != nil {
		t.Fatal(err)
	}
	return ctx, ac
}

// mustBeDeleted fails for every test user the emulator still has.
func mustBeDeleted(t *testing.T, ctx context.Context, ac *firebaseauth.Admin, uids []string, when string) {
	t.Helper()
	for _, uid := range uids {
		if _, err := ac.GetUser(ctx, uid); !firebaseauth.IsUserNotFound(err) {
			t.Errorf("test user %s still exists %s (err %v)", uid, when, err)
		}
	}
}

func TestSelfFUN1(t *testing.T) {
	w, env := harness.World(t)
	s := w.Standin
	f := mustPassRow(t, env, Registration)
	uids := []string{f.Poster.Identity.UID, f.Hustler.Identity.UID}
	withFault(t, s, func(ff *standin.FlowFaults) { ff.RejectValidTokens = true }, func() {
		mustFailRow(t, env, Registration, "user.register", "401 UNAUTHORIZED", "valid Firebase ID token")
	})
	// cleanup deletes the test users from Firebase
	for _, line := range f.Close() {
		t.Logf("cleanup: %s", line)
	}
	ctx, ac := emulatorAdmin(t, env)
	mustBeDeleted(t, ctx, ac, uids, "after Flow.Close")

	// a pre-provisioned hustler signs in, passes, and survives the cleanup
	fb, err := firebaseauth.New(env.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	pw := firebaseauth.NewPassword()
	pre, err := fb.SignUp(ctx, env.Tag()+"-preprovisioned-hustler@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Delete(context.Background(), pre.UID) })
	penv := env.MustWith(map[string]string{config.FunHustlerEmail: pre.Email, config.FunHustlerPassword: pw})
	f2 := mustPassRow(t, penv, Registration)
	if f2.Hustler.Identity.UID != pre.UID {
		t.Fatalf("flow hustler %s, want the pre-provisioned %s", f2.Hustler.Identity.UID, pre.UID)
	}
	f2.Close()
	if _, err := ac.GetUser(ctx, pre.UID); err != nil {
		t.Fatalf("the pre-provisioned hustler was deleted by the cleanup: %v", err)
	}
	bad := env.MustWith(map[string]string{config.FunHustlerEmail: pre.Email, config.FunHustlerPassword: "wrong-password"})
	mustFailRow(t, bad, Registration, "sign-in of the pre-provisioned hustler", config.FunHustlerEmail)
}

func TestSelfFUN2(t *testing.T) {
	w, env := harness.World(t)
	withFault(t, w.Standin, func(ff *standin.FlowFaults) { ff.TaskState = "MATCHING" }, func() {
		// a later row does not run on the bad state
		r := mustFailRow(t, env, TaskAcceptance, "blocked by FUN-2")
		if r.Status() != "fail" {
			t.Errorf("blocked row status %s, want fail", r.Status())
		}
	})
}

// FUN-2, FUN-3, FUN-6, FUN-7: each row passes on the healthy stand-in and
// fails, naming the fault, when the backend does what its line forbids.
func TestSelfFUNStandinFaults(t *testing.T) {
	w, env := harness.World(t)
	for _, row := range []func(check.T, *Flow){TaskCreation, TaskAcceptance, ProofSubmission, EscrowRelease} {
		mustPassRow(t, env, row)
	}
	for _, tc := range []struct {
		name  string
		row   func(check.T, *Flow)
		fault func(*standin.FlowFaults)
		want  []string
	}{
		{"FUN-2 task not OPEN", TaskCreation, func(ff *standin.FlowFaults) { ff.TaskState = "MATCHING" }, []string{`state "MATCHING"`, "want state OPEN"}},
		{"FUN-2 no escrow", TaskCreation, func(ff *standin.FlowFaults) { ff.SkipEscrow = true }, []string{"no escrow row", "PENDING escrow with amount = price"}},
		{"FUN-3 unfunded task accepted", TaskAcceptance, func(ff *standin.FlowFaults) { ff.AssignWithoutFunding = true }, []string{"acceptance without funding is allowed", "unfunded task"}},
		{"FUN-6 proof not stored", ProofSubmission, func(ff *standin.FlowFaults) { ff.ProofNotStored = true }, []string{"the proofs table has no such row", "proof was not stored"}},
		{"FUN-7 released before completion", EscrowRelease, func(ff *standin.FlowFaults) { ff.ReleaseBeforeComplete = true },
			[]string{"HX201", "escrow_released_requires_completed_task", "before the task was COMPLETED", "trigger held: escrow FUNDED"}},
		{"FUN-7 no XP", EscrowRelease, func(ff *standin.FlowFaults) { ff.SkipXP = true }, []string{"xp_ledger rows for escrow", ": 0", "XP not awarded"}},
	} {
		t.Run("fault="+tc.name, func(t *testing.T) {
			withFault(t, w.Standin, tc.fault, func() { mustFailRow(t, env, tc.row, tc.want...) })
		})
	}
}

func TestSelfFUN4(t *testing.T) {
	w, env := harness.World(t)
	s := w.Standin
	mustPassRow(t, env, EscrowFunding)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.FundingNotRecorded = true }, func() {
		mustFailRow(t, env, EscrowFunding, "PENDING → FUNDED not recorded", "state PENDING")
	})
	// live Stripe key without HUSTLEXP_ALLOW_LIVE_PAYMENTS: only create-and-
	// cancel runs; funding and everything after it are unverified, and the
	// PaymentIntent is cancelled in cleanup.
	f := newFlow(t, env)
	checktest.MustPass(t, selfTimeout, func(ct check.T) { PaymentIntentCreation(ct, f) })
	f.Env = env.MustWith(map[string]string{config.StripeSecretKey: "sk_live_launchcheckselftest"})
	r := checktest.Run(t, selfTimeout, func(ct check.T) { EscrowFunding(ct, f) })
	if r.Status() != "unverified" || !strings.Contains(r.Text(), config.AllowLivePayments) {
		t.Fatalf("FUN-4 with a live key: status %s (%s), want unverified naming %s", r.Status(), r.Text(), config.AllowLivePayments)
	}
	r = checktest.Run(t, selfTimeout, func(ct check.T) { EscrowRelease(ct, f) })
	if r.Status() != "unverified" || !strings.Contains(r.Text(), "blocked by FUN-4") {
		t.Fatalf("FUN-7 with a live key: status %s (%s), want unverified, blocked by FUN-4", r.Status(), r.Text())
	}
	pi := f.PaymentIntentID
	for _, line := range f.Close() {
		t.Logf("cleanup: %s", line)
	}
	got, ok := w.Stripe.PaymentIntent(pi)
	if !ok || got.Status != "canceled" {
		t.Fatalf("PaymentIntent %s after cleanup: %+v, want canceled", pi, got.Status)
	}
}

func TestSelfFUN5(t *testing.T) {
	w, env := harness.World(t)
	s := w.Standin
	mustPassRow(t, env, PaymentIntentCreation)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.PIAmountDelta = 250 }, func() {
		mustFailRow(t, env, PaymentIntentCreation, "amountCents 5250", "want the task price 5000", "PaymentIntent amount 5250")
	})
	// frozen payment creation is recognised by what reaches the wire
	// (PRECONDITION_FAILED + message; no applicationCode is sent)
	restore := s.SetEnv("HX_PAYMENT_CREATION_MODE", "frozen")
	defer restore()
	mustFailRow(t, env, PaymentIntentCreation, "temporarily paused", "payment creation is frozen", "HX_PAYMENT_CREATION_MODE=enabled")
}

// orderedT records every line a check writes, in order, as the report
// sees them (go test -json interleaves logs and errors).
type orderedT struct {
	check.T
	mu    sync.Mutex
	lines []string
}

func (o *orderedT) add(s string) { o.mu.Lock(); o.lines = append(o.lines, s); o.mu.Unlock() }
func (o *orderedT) Logf(f string, a ...any) {
	o.add("log: " + fmt.Sprintf(f, a...))
	o.T.Logf(f, a...)
}
func (o *orderedT) Errorf(f string, a ...any) {
	o.add("error: " + fmt.Sprintf(f, a...))
	o.T.Errorf(f, a...)
}
func (o *orderedT) Fatalf(f string, a ...any) {
	o.add("error: " + fmt.Sprintf(f, a...))
	o.T.Fatalf(f, a...)
}

// A FUN failure's first line is its cause (task.create … 400 … the region
// policy message the backend really sends), not a step timing line.
func TestSelfFUNHeadlineLeadsWithCause(t *testing.T) {
	_, env := harness.World(t)
	bad := env.MustWith(map[string]string{config.FunRegion: "US-ZZ"}) // no active region policy there
	f := newFlow(t, bad)
	o := &orderedT{}
	r := checktest.MustFail(t, selfTimeout, func(ct check.T) { o.T = ct; TaskCreation(o, f) },
		"task.create", "400 BAD_REQUEST", standin.RegionPolicyMessage, config.FunRegion)
	_ = r
	if len(o.lines) == 0 || !strings.HasPrefix(o.lines[0], "error: FUN-2 task.create:") || !strings.Contains(o.lines[0], "400") {
		t.Fatalf("first line of the failed row = %q, want the cause (FUN-2 task.create: … 400 …); all: %q", o.lines[0], o.lines)
	}
	for _, l := range o.lines {
		if strings.Contains(l, "REGION_POLICY_DENIED") {
			t.Fatalf("a REGION_POLICY_DENIED string reached the wire: %s", l)
		}
	}
}

// FUN-1 on a staging target whose stack runs on the Firebase Auth emulator:
// sign-up and cleanup go to the emulator (the evidence says so); the same
// variable with a production target is refused.
func TestSelfFUN1StagingOnEmulator(t *testing.T) {
	_, env := harness.World(t)
	if env.Cfg.Get(config.FirebaseAuthEmulatorHost) == "" {
		t.Skip("the rehearsal's Firebase runs without an emulator host")
	}
	staging := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.Waivers: ""})
	f := newFlow(t, staging)
	r := checktest.MustPass(t, selfTimeout, func(ct check.T) { Registration(ct, f) })
	if ev := r.Attrs[check.AttrEvidence+"firebase"]; !strings.Contains(ev, "Firebase Auth emulator at "+env.Cfg.Get(config.FirebaseAuthEmulatorHost)) {
		t.Fatalf("evidence firebase = %q, want the emulator named", ev)
	}
	uids := []string{f.Poster.Identity.UID, f.Hustler.Identity.UID}
	f.Close()
	ctx, ac := emulatorAdmin(t, env)
	mustBeDeleted(t, ctx, ac, uids, "after the staging cleanup")
	prod := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.Waivers: "",
		config.FirebaseWebAPIKey: "AIza-rehearsal", config.FirebaseCredentialsFile: "/nonexistent/sa.json"})
	mustFailRow(t, prod, Registration, config.FirebaseAuthEmulatorHost, "HUSTLEXP_TARGET=production", "SEC-4")
}
