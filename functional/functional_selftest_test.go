//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

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

func TestSelfFUN1(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	f := mustPassRow(t, env, Registration)
	uids := []string{f.Poster.Identity.UID, f.Hustler.Identity.UID}
	withFault(t, s, func(ff *standin.FlowFaults) { ff.RejectValidTokens = true }, func() {
		mustFailRow(t, env, Registration, "user.register", "401 UNAUTHORIZED", "valid Firebase ID token")
	})
	// cleanup deletes the test users from Firebase
	for _, line := range f.Close() {
		t.Logf("cleanup: %s", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ac, err := firebaseauth.AdminClient(ctx, env.Cfg.Get(config.FirebaseProjectID), env.Cfg.Get(config.FirebaseAuthEmulatorHost), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range uids {
		if _, err := ac.GetUser(ctx, uid); !auth.IsUserNotFound(err) {
			t.Errorf("test user %s still exists after Flow.Close (err %v)", uid, err)
		}
	}

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
	s := harness.Standin(w)
	mustPassRow(t, env, TaskCreation)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.TaskState = "MATCHING" }, func() {
		mustFailRow(t, env, TaskCreation, `state "MATCHING"`, "want state OPEN")
		// a later row does not run on the bad state
		r := mustFailRow(t, env, TaskAcceptance, "blocked by FUN-2")
		if r.Status() != "fail" {
			t.Errorf("blocked row status %s, want fail", r.Status())
		}
	})
	withFault(t, s, func(ff *standin.FlowFaults) { ff.SkipEscrow = true }, func() {
		mustFailRow(t, env, TaskCreation, "no escrow row", "PENDING escrow with amount = price")
	})
}

func TestSelfFUN3(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	mustPassRow(t, env, TaskAcceptance)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.AssignWithoutFunding = true }, func() {
		mustFailRow(t, env, TaskAcceptance, "acceptance without funding is allowed", "unfunded task")
	})
}

func TestSelfFUN4(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
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
	got, ok := harness.StripeFake(w).PaymentIntent(pi)
	if !ok || got.Status != "canceled" {
		t.Fatalf("PaymentIntent %s after cleanup: %+v, want canceled", pi, got.Status)
	}
}

func TestSelfFUN5(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	mustPassRow(t, env, PaymentIntentCreation)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.PIAmountDelta = 250 }, func() {
		mustFailRow(t, env, PaymentIntentCreation, "amountCents 5250", "want the task price 5000", "PaymentIntent amount 5250")
	})
}

func TestSelfFUN6(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	mustPassRow(t, env, ProofSubmission)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.ProofNotStored = true }, func() {
		mustFailRow(t, env, ProofSubmission, "the proofs table has no such row", "proof was not stored")
	})
}

func TestSelfFUN7(t *testing.T) {
	w, env := harness.World(t)
	s := harness.Standin(w)
	mustPassRow(t, env, EscrowRelease)
	withFault(t, s, func(ff *standin.FlowFaults) { ff.ReleaseBeforeComplete = true }, func() {
		mustFailRow(t, env, EscrowRelease, "HX201", "escrow_released_requires_completed_task", "before the task was COMPLETED", "trigger held: escrow FUNDED")
	})
	withFault(t, s, func(ff *standin.FlowFaults) { ff.SkipXP = true }, func() {
		mustFailRow(t, env, EscrowRelease, "xp_ledger rows for escrow", ": 0", "XP not awarded")
	})
}
