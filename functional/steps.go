package functional

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
)

// sql runs fn in a READ ONLY transaction on HUSTLEXP_DATABASE_URL: the flow
// observes the database, it never writes to it.
func (f *Flow) sql(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := pg.Query(ctx, f.Env.Cfg.Get(config.DatabaseURL), f.Env.Cfg.Duration(config.StatementTimeout), fn)
	if err != nil {
		return fmt.Errorf("SQL on %s: %w", pg.Host(f.Env.Cfg.Get(config.DatabaseURL)), err)
	}
	return nil
}

// ---------------------------------------------------------------- FUN-1

type apiUser struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	DefaultMode string `json:"defaultMode"`
}

func (f *Flow) stepRegister(ctx context.Context, s *stepRun) error {
	if err := f.fb.WaitEmulator(ctx, 90*time.Second); err != nil {
		return err
	}
	s.evidence("firebase", f.fb.Where())
	if f.fb.Emulator != "" && f.Env.Cfg.Live() {
		s.logf("%s: test users are signed up on and deleted from the Firebase Auth emulator %s, not Google", f.Env.Cfg.Target, f.fb.Emulator)
	}
	for _, who := range []participantSpec{
		{&f.Poster, "poster", "poster", config.FunPosterEmail, config.FunPosterPassword},
		{&f.Hustler, "hustler", "hustler", config.FunHustlerEmail, config.FunHustlerPassword},
	} {
		if err := f.register(ctx, s, who); err != nil {
			return err
		}
	}
	return f.sql(ctx, func(tx pgx.Tx) error { return f.verifyUserRows(ctx, s, tx) })
}

// participantSpec is one test user of FUN-1: its role, the defaultMode it
// registers with, and the variables of a pre-provisioned account.
type participantSpec struct {
	p             *Participant
	role          string
	mode          string
	email, passwd string
}

// identity signs the pre-provisioned account in, or signs a fresh test user
// up (deleted in cleanup); it returns the identity and its email.
func (f *Flow) identity(ctx context.Context, s *stepRun, who participantSpec) (*firebaseauth.Identity, string, error) {
	email := strings.ToLower(f.Env.Cfg.Get(who.email))
	if email != "" {
		// a pre-provisioned account: sign in, never delete
		if f.Env.Cfg.Get(who.passwd) == "" {
			return nil, "", fmt.Errorf("%s is set but %s is not", who.email, who.passwd)
		}
		id, err := f.fb.SignIn(ctx, email, f.Env.Cfg.Get(who.passwd))
		if err != nil {
			return nil, "", fmt.Errorf("Firebase sign-in of the pre-provisioned %s %s (%s): %w", who.role, email, who.email, err)
		}
		s.logf("using the pre-provisioned %s account %s", who.role, email)
		return id, email, nil
	}
	email = strings.ToLower(f.tag() + "-" + who.role + "@" + f.Env.Cfg.Get(config.TestEmailDomain))
	id, err := f.fb.SignUp(ctx, email, firebaseauth.NewPassword())
	if err != nil {
		return nil, "", fmt.Errorf("Firebase sign-up of the %s test user %s: %w", who.role, email, err)
	}
	uid := id.UID
	f.onCleanup(func(ctx context.Context) string {
		if err := f.fb.Delete(ctx, uid); err != nil {
			return fmt.Sprintf("could not delete Firebase test user %s (%s): %v", uid, email, err)
		}
		return "deleted Firebase test user " + email
	})
	return id, email, nil
}

// register gets who's identity, calls user.register with its ID token and
// user.me with the same token: both must name one user of the right role.
func (f *Flow) register(ctx context.Context, s *stepRun, who participantSpec) error {
	id, email, err := f.identity(ctx, s, who)
	if err != nil {
		return err
	}
	who.p.Identity = id
	var u apiUser
	in := map[string]any{"idToken": id.IDToken, "firebaseUid": id.UID, "email": email,
		"fullName": "Launchcheck " + who.role + " " + f.tag(), "defaultMode": who.mode, "dateOfBirth": "1990-01-01"}
	if err := f.api.Mutate(ctx, "user.register", "", in, &u); err != nil {
		return fmt.Errorf("user.register of the %s (a valid Firebase ID token of project %s): %w", who.role, f.Env.Cfg.Get(config.FirebaseProjectID), err)
	}
	wantRole := map[string]string{"poster": "poster", "hustler": "hustler"}[who.role]
	if u.ID == "" || !strings.EqualFold(u.Email, email) || u.Role != wantRole {
		return fmt.Errorf("user.register of the %s returned id=%q email=%q role=%q, want a user id, email %s, role %s", who.role, u.ID, u.Email, u.Role, email, wantRole)
	}
	var me apiUser
	if err := f.api.Query(ctx, "user.me", id.IDToken, nil, &me); err != nil {
		return fmt.Errorf("user.me with the %s's fresh token: %w", who.role, err)
	}
	if me.ID != u.ID {
		return fmt.Errorf("user.me returned user %s, user.register returned %s", me.ID, u.ID)
	}
	who.p.UserID = u.ID
	return nil
}

// verifyUserRows finds each participant's users row by firebase_uid: the
// id user.register answered and the default_mode it was registered with.
func (f *Flow) verifyUserRows(ctx context.Context, s *stepRun, tx pgx.Tx) error {
	for _, p := range []struct {
		who  string
		part Participant
		mode string
	}{{"poster", f.Poster, "poster"}, {"hustler", f.Hustler, "worker"}} {
		var id, mode string
		err := tx.QueryRow(ctx, `SELECT id::text, default_mode FROM users WHERE firebase_uid = $1`, p.part.Identity.UID).Scan(&id, &mode)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no users row with firebase_uid = %s after user.register of the %s", p.part.Identity.UID, p.who)
		}
		if err != nil {
			return err
		}
		if id != p.part.UserID || mode != p.mode {
			return fmt.Errorf("users row of the %s: id %s default_mode %s, want id %s default_mode %s", p.who, id, mode, p.part.UserID, p.mode)
		}
	}
	s.evidence("poster", f.Poster.UserID+" (firebase_uid "+f.Poster.Identity.UID+")")
	s.evidence("hustler", f.Hustler.UserID+" (firebase_uid "+f.Hustler.Identity.UID+")")
	return nil
}

// ---------------------------------------------------------------- FUN-2

type apiTask struct {
	ID       string  `json:"id"`
	State    string  `json:"state"`
	Price    int64   `json:"price"`
	PosterID string  `json:"poster_id"`
	WorkerID *string `json:"worker_id"`
}

func (f *Flow) createTask(ctx context.Context, probe bool) (*apiTask, error) {
	suffix, key := "", f.tag()+"-task"
	if probe {
		suffix, key = " (unfunded probe)", f.tag()+"-probe"
	}
	in := map[string]any{
		"title":                f.tag() + " functional check" + suffix,
		"description":          "Launch-day functional verification task created by launchcheck run " + f.Env.RunID + "; cancelled or completed by the suite.",
		"price":                f.Price,
		"regionCode":           f.Env.Cfg.Get(config.FunRegion),
		"category":             f.Env.Cfg.Get(config.FunCategory),
		"clientIdempotencyKey": key,
	}
	req := hxapi.TRPCRequest{Procedure: "task.create", Mutation: true, Bearer: f.Poster.Identity.IDToken, Header: http.Header{}}
	if key := f.Env.Cfg.Get(config.EngineBridgeKey); key != "" {
		req.Header.Set("x-engine-bridge-key", key)
		in["isTest"] = true
		margin := f.Price / 5
		in["hustlerPayoutCents"], in["platformMarginCents"] = f.Price-margin, margin
	}
	req.Input = in
	var t apiTask
	if _, err := f.api.TRPC(ctx, req, &t); err != nil {
		return nil, err
	}
	if t.ID != "" {
		id := t.ID
		f.onCleanup(func(ctx context.Context) string { return f.cancelIfOpen(ctx, id) })
	}
	return &t, nil
}

// cancelIfOpen cancels a task of this flow that never got past OPEN.
func (f *Flow) cancelIfOpen(ctx context.Context, taskID string) string {
	var state string
	if err := f.sql(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT state FROM tasks WHERE id = $1`, taskID).Scan(&state)
	}); err != nil || state != "OPEN" {
		return ""
	}
	if err := f.api.Mutate(ctx, "task.cancel", f.Poster.Identity.IDToken, map[string]any{"taskId": taskID, "reason": "launchcheck cleanup"}, nil); err != nil {
		return fmt.Sprintf("could not cancel OPEN test task %s: %v", taskID, err)
	}
	return "cancelled OPEN test task " + taskID
}

func (f *Flow) stepCreateTask(ctx context.Context, s *stepRun) error {
	t, err := f.createTask(ctx, false)
	if err != nil {
		// the backend answers every region-policy denial with 400 and this
		// message (no REGION_POLICY_DENIED code reaches the wire)
		if te, ok := hxapi.AsTRPCError(err); ok && te.Code == "BAD_REQUEST" && strings.Contains(strings.ToLower(te.Message), "region policy") {
			return fmt.Errorf("%w — the region policy of %s=%s rejects the test task (category %s=%s, price %d cents): the poster needs an active policy allowing it, or set these variables to a region/category the deployment serves",
				err, config.FunRegion, f.Env.Cfg.Get(config.FunRegion), config.FunCategory, f.Env.Cfg.Get(config.FunCategory), f.Price)
		}
		return err
	}
	if t.ID == "" {
		return errors.New("task.create returned no task id")
	}
	f.TaskID = t.ID
	if t.State != "OPEN" || t.Price != f.Price {
		return fmt.Errorf("task.create returned state %q price %d, want state OPEN price %d", t.State, t.Price, f.Price)
	}
	return f.sql(ctx, func(tx pgx.Tx) error {
		var state, poster string
		if err := tx.QueryRow(ctx, `SELECT state, poster_id::text FROM tasks WHERE id = $1`, t.ID).Scan(&state, &poster); err != nil {
			return fmt.Errorf("tasks row %s: %w", t.ID, err)
		}
		if state != "OPEN" || poster != f.Poster.UserID {
			return fmt.Errorf("tasks row %s: state %s poster %s, want state OPEN poster %s", t.ID, state, poster, f.Poster.UserID)
		}
		var n int
		var escrowState string
		var amount int64
		err := tx.QueryRow(ctx, `SELECT count(*) OVER (), id::text, state, amount FROM escrows WHERE task_id = $1`, t.ID).Scan(&n, &f.EscrowID, &escrowState, &amount)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no escrow row for task %s after task.create (want one PENDING escrow with amount = price %d)", t.ID, f.Price)
		}
		if err != nil {
			return err
		}
		if escrowState != "PENDING" || amount != f.Price {
			return fmt.Errorf("escrow %s of task %s: state %s amount %d, want PENDING amount %d (= price)", f.EscrowID, t.ID, escrowState, amount, f.Price)
		}
		s.evidence("task", t.ID+" OPEN, price "+fmt.Sprint(f.Price))
		s.evidence("escrow", f.EscrowID+" PENDING, amount "+fmt.Sprint(amount))
		return nil
	})
}

// ---------------------------------------------------------------- FUN-5

// piOutput is what escrow.createPaymentIntent answers.
type piOutput struct {
	EscrowID        string `json:"escrowId"`
	PaymentIntentID string `json:"paymentIntentId"`
	ClientSecret    string `json:"clientSecret"`
	AmountCents     int64  `json:"amountCents"`
}

func (f *Flow) stepPaymentIntent(ctx context.Context, s *stepRun) error {
	out, err := f.createPaymentIntent(ctx)
	if err != nil {
		return err
	}
	problems := f.piOutputProblems(out)
	if len(problems) > 0 && f.PaymentIntentID == "" {
		return fmt.Errorf("escrow.createPaymentIntent output: %s", strings.Join(problems, "; "))
	}
	f.ClientSecret = out.ClientSecret
	gp := &stripe.PaymentIntentParams{}
	gp.Context = ctx
	pi, err := f.stripe.PaymentIntents.Get(f.PaymentIntentID, gp)
	if err != nil {
		return fmt.Errorf("Stripe GET /v1/payment_intents/%s: %s", f.PaymentIntentID, stripeapi.Describe(err))
	}
	problems = append(problems, f.stripePIProblems(pi)...)
	if len(problems) > 0 {
		return fmt.Errorf("PaymentIntent %s: %s", f.PaymentIntentID, strings.Join(problems, "; "))
	}
	up := tagParams(f.tag())
	up.Context = ctx
	if _, err := f.stripe.PaymentIntents.Update(pi.ID, up); err != nil {
		s.logf("could not tag PaymentIntent %s with metadata.launchcheck: %s", pi.ID, stripeapi.Describe(err))
	}
	s.evidence("payment_intent", fmt.Sprintf("%s amount %d %s, status %s", pi.ID, pi.Amount, pi.Currency, pi.Status))
	return nil
}

// createPaymentIntent calls escrow.createPaymentIntent as the poster and
// registers the PaymentIntent it names for cancellation.
func (f *Flow) createPaymentIntent(ctx context.Context) (*piOutput, error) {
	var out piOutput
	err := f.api.Mutate(ctx, "escrow.createPaymentIntent", f.Poster.Identity.IDToken, map[string]any{"taskId": f.TaskID}, &out)
	if te, ok := hxapi.AsTRPCError(err); ok && paymentsPaused(te) {
		return nil, fmt.Errorf("%w — payment creation is frozen: set HX_PAYMENT_CREATION_MODE=enabled on the deployment (§10.4)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("escrow.createPaymentIntent for task %s: %w", f.TaskID, err)
	}
	if strings.HasPrefix(out.PaymentIntentID, "pi_") {
		id := out.PaymentIntentID
		f.PaymentIntentID = id
		f.onCleanup(func(ctx context.Context) string { return f.cancelPI(ctx, id) })
	}
	return &out, nil
}

// piOutputProblems judges the answer of escrow.createPaymentIntent.
func (f *Flow) piOutputProblems(out *piOutput) []string {
	var problems []string
	if !strings.HasPrefix(out.PaymentIntentID, "pi_") {
		problems = append(problems, fmt.Sprintf("paymentIntentId %q, want pi_…", out.PaymentIntentID))
	}
	if out.ClientSecret == "" || !strings.HasPrefix(out.ClientSecret, out.PaymentIntentID+"_secret_") {
		problems = append(problems, "clientSecret missing or not <pi id>_secret_…")
	}
	if out.AmountCents != f.Price {
		problems = append(problems, fmt.Sprintf("amountCents %d, want the task price %d", out.AmountCents, f.Price))
	}
	if out.EscrowID != f.EscrowID {
		problems = append(problems, fmt.Sprintf("escrowId %q, want %s", out.EscrowID, f.EscrowID))
	}
	return problems
}

// stripePIProblems judges the PaymentIntent Stripe holds.
func (f *Flow) stripePIProblems(pi *stripe.PaymentIntent) []string {
	var problems []string
	if pi.Amount != f.Price {
		problems = append(problems, fmt.Sprintf("Stripe PaymentIntent amount %d, want the task price %d", pi.Amount, f.Price))
	}
	if pi.Currency != stripe.CurrencyUSD {
		problems = append(problems, fmt.Sprintf("currency %s, want usd", pi.Currency))
	}
	if pi.Metadata["task_id"] != f.TaskID {
		problems = append(problems, fmt.Sprintf("metadata.task_id %q, want %s", pi.Metadata["task_id"], f.TaskID))
	}
	return problems
}

// cancelPI cancels the flow's PaymentIntent unless it already succeeded or
// was cancelled (a succeeded test-mode PI stays; live money is never moved
// without HUSTLEXP_ALLOW_LIVE_PAYMENTS).
func (f *Flow) cancelPI(ctx context.Context, id string) string {
	gp := &stripe.PaymentIntentParams{}
	gp.Context = ctx
	pi, err := f.stripe.PaymentIntents.Get(id, gp)
	if err != nil {
		return fmt.Sprintf("could not read PaymentIntent %s for cleanup: %s", id, stripeapi.Describe(err))
	}
	if pi.Status == stripe.PaymentIntentStatusSucceeded || pi.Status == stripe.PaymentIntentStatusCanceled {
		return ""
	}
	cp := cancelParams()
	cp.Context = ctx
	if _, err := f.stripe.PaymentIntents.Cancel(id, cp); err != nil {
		return fmt.Sprintf("could not cancel PaymentIntent %s: %s", id, stripeapi.Describe(err))
	}
	return "cancelled PaymentIntent " + id
}

// refundPI refunds a succeeded PaymentIntent the flow funded (tagged with the run).
func (f *Flow) refundPI(ctx context.Context, id string) string {
	rp := &stripe.RefundParams{PaymentIntent: stripe.String(id), Reason: stripe.String(string(stripe.RefundReasonRequestedByCustomer))}
	rp.Context = ctx
	rp.AddMetadata("launchcheck", f.Env.Tag())
	if _, err := f.stripe.Refunds.New(rp); err != nil {
		return fmt.Sprintf("could not refund PaymentIntent %s: %s", id, stripeapi.Describe(err))
	}
	return "refunded PaymentIntent " + id
}

// reverseTransfer reverses the payout transfer the release created.
func (f *Flow) reverseTransfer(ctx context.Context, id string) string {
	rp := &stripe.TransferReversalParams{ID: stripe.String(id)}
	rp.Context = ctx
	rp.AddMetadata("launchcheck", f.Env.Tag())
	if _, err := f.stripe.TransferReversals.New(rp); err != nil {
		return fmt.Sprintf("could not reverse transfer %s: %s", id, stripeapi.Describe(err))
	}
	return "reversed transfer " + id
}

// ---------------------------------------------------------------- FUN-4

func (f *Flow) stepFunding(ctx context.Context, s *stepRun) error {
	if f.liveStripeKey() && !f.Env.Cfg.Bool(config.AllowLivePayments) {
		return unverifiedError{fmt.Sprintf("%s is a live key: funding would charge a real card, so only create-and-cancel ran (FUN-5); set %s=1 to fund and release for real",
			config.StripeSecretKey, config.AllowLivePayments)}
	}
	cp := confirmParams(f.Env.Cfg.Get(config.FunPaymentMethod))
	cp.Context = ctx
	pi, err := f.stripe.PaymentIntents.Confirm(f.PaymentIntentID, cp)
	if err != nil {
		return fmt.Errorf("Stripe POST /v1/payment_intents/%s/confirm (as the client app): %s", f.PaymentIntentID, stripeapi.Describe(err))
	}
	if pi.Status != stripe.PaymentIntentStatusSucceeded {
		return fmt.Errorf("PaymentIntent %s is %s after confirm, want succeeded", pi.ID, pi.Status)
	}
	// Money moved: give it back in cleanup (runs after the transfer reversal).
	paid := pi.ID
	f.onCleanup(func(ctx context.Context) string { return f.refundPI(ctx, paid) })
	var esc struct {
		ID    string `json:"id"`
		State string `json:"state"`
		PI    string `json:"stripe_payment_intent_id"`
	}
	if err := f.api.Mutate(ctx, "escrow.confirmFunding", f.Poster.Identity.IDToken,
		map[string]any{"escrowId": f.EscrowID, "stripePaymentIntentId": pi.ID}, &esc); err != nil {
		return fmt.Errorf("escrow.confirmFunding of escrow %s with succeeded PaymentIntent %s: %w", f.EscrowID, pi.ID, err)
	}
	if esc.State != "FUNDED" || esc.PI != pi.ID {
		return fmt.Errorf("escrow.confirmFunding returned state %q stripe_payment_intent_id %q, want FUNDED and %s", esc.State, esc.PI, pi.ID)
	}
	return f.sql(ctx, func(tx pgx.Tx) error {
		var state string
		var piID *string
		var funded *time.Time
		if err := tx.QueryRow(ctx, `SELECT state, stripe_payment_intent_id, funded_at FROM escrows WHERE id = $1`, f.EscrowID).Scan(&state, &piID, &funded); err != nil {
			return err
		}
		if state != "FUNDED" || piID == nil || *piID != pi.ID || funded == nil {
			return fmt.Errorf("escrows row %s after confirmFunding: state %s, stripe_payment_intent_id %v, funded_at %v; want FUNDED with %s and funded_at set (PENDING → FUNDED not recorded)",
				f.EscrowID, state, deref(piID), funded != nil, pi.ID)
		}
		s.evidence("escrow", f.EscrowID+" PENDING → FUNDED by "+pi.ID)
		return nil
	})
}

// The suite's own Stripe requests (shape-checked against stripe-mock).
func confirmParams(pm string) *stripe.PaymentIntentConfirmParams {
	return &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(pm), ReturnURL: stripe.String("https://hustlexp.app/launchcheck/return")}
}

func cancelParams() *stripe.PaymentIntentCancelParams {
	return &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("abandoned")}
}

func tagParams(tag string) *stripe.PaymentIntentParams {
	p := &stripe.PaymentIntentParams{}
	p.AddMetadata("launchcheck", tag)
	return p
}

func deref(p *string) string {
	if p == nil {
		return "NULL"
	}
	return *p
}

// ---------------------------------------------------------------- FUN-3

// stepUnfundedProbe proves the funding guard of §10.5 with a second task
// whose escrow stays PENDING: every other precondition of assignWorker
// holds (an offer, a pending application), so only the missing funding can
// refuse it. The probe task is cancelled right after.
func (f *Flow) stepUnfundedProbe(ctx context.Context, s *stepRun) error {
	t, err := f.createTask(ctx, true)
	if err != nil {
		return fmt.Errorf("task.create of the unfunded probe task: %w", err)
	}
	f.ProbeTaskID = t.ID
	if err := f.apply(ctx, t.ID); err != nil {
		return err
	}
	err = f.api.Mutate(ctx, "task.assignWorker", f.Poster.Identity.IDToken, map[string]any{"taskId": t.ID, "workerId": f.Hustler.UserID}, nil)
	if err == nil {
		return fmt.Errorf("task.assignWorker ACCEPTED unfunded task %s (escrow still PENDING): acceptance without funding is allowed; the escrow must be FUNDED before a worker is assigned (§10.5)", t.ID)
	}
	te, ok := hxapi.AsTRPCError(err)
	if !ok || te.Code != "PRECONDITION_FAILED" {
		return fmt.Errorf("task.assignWorker on the unfunded probe task failed, but not as the funding guard (want 412 PRECONDITION_FAILED \"not funded\"): %w", err)
	}
	s.evidence("unfunded_assign", fmt.Sprintf("refused: %d %s %q", te.HTTPStatus, te.Code, te.Message))
	if msg := f.cancelIfOpen(ctx, t.ID); msg != "" {
		s.logf("%s", msg)
	}
	return nil
}

func (f *Flow) apply(ctx context.Context, taskID string) error {
	if err := f.api.Query(ctx, "taskDiscovery.getFeed", f.Hustler.Identity.IDToken, nil, nil); err != nil {
		return fmt.Errorf("taskDiscovery.getFeed by the hustler: %w", err)
	}
	var app struct {
		ID     string `json:"id"`
		TaskID string `json:"taskId"`
		Status string `json:"status"`
	}
	if err := f.api.Mutate(ctx, "task.applyForTask", f.Hustler.Identity.IDToken, map[string]any{"taskId": taskID, "message": f.tag()}, &app); err != nil {
		return fmt.Errorf("task.applyForTask by the hustler on task %s: %w", taskID, err)
	}
	if app.TaskID != taskID || app.Status != "pending" {
		return fmt.Errorf("task.applyForTask returned taskId %q status %q, want %s pending", app.TaskID, app.Status, taskID)
	}
	return nil
}

func (f *Flow) stepAssign(ctx context.Context, s *stepRun) error {
	if err := f.apply(ctx, f.TaskID); err != nil {
		return err
	}
	var out struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		WorkerID string `json:"worker_id"`
	}
	if err := f.api.Mutate(ctx, "task.assignWorker", f.Poster.Identity.IDToken, map[string]any{"taskId": f.TaskID, "workerId": f.Hustler.UserID}, &out); err != nil {
		return fmt.Errorf("task.assignWorker of the hustler to funded task %s: %w", f.TaskID, err)
	}
	if out.State != "ACCEPTED" || out.WorkerID != f.Hustler.UserID {
		return fmt.Errorf("task.assignWorker returned state %q worker_id %q, want ACCEPTED %s", out.State, out.WorkerID, f.Hustler.UserID)
	}
	return f.sql(ctx, func(tx pgx.Tx) error {
		var state, escrow string
		var worker *string
		if err := tx.QueryRow(ctx, `SELECT t.state, t.worker_id::text, e.state FROM tasks t JOIN escrows e ON e.task_id = t.id WHERE t.id = $1`, f.TaskID).Scan(&state, &worker, &escrow); err != nil {
			return err
		}
		if state != "ACCEPTED" || deref(worker) != f.Hustler.UserID {
			return fmt.Errorf("tasks row %s: state %s worker_id %s, want ACCEPTED %s", f.TaskID, state, deref(worker), f.Hustler.UserID)
		}
		if escrow != "FUNDED" {
			return fmt.Errorf("task %s ACCEPTED while its escrow is %s, want FUNDED", f.TaskID, escrow)
		}
		s.evidence("task", f.TaskID+" OPEN → ACCEPTED, worker "+f.Hustler.UserID)
		return nil
	})
}

// ---------------------------------------------------------------- FUN-6

func proofImage(tag string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	h := sha256.Sum256([]byte(tag))
	for i := 0; i < 256; i++ {
		img.Set(i%16, i/16, color.RGBA{h[i%32], h[(i+7)%32], h[(i+13)%32], 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func (f *Flow) upload(ctx context.Context, img []byte, sum string) (string, error) {
	tok := f.Hustler.Identity.IDToken
	var pre map[string]any
	if err := f.api.Mutate(ctx, "upload.getPresignedUrl", tok, map[string]any{"taskId": f.TaskID, "filename": f.tag() + "-proof.png",
		"contentType": "image/png", "fileSize": len(img), "purpose": "proof"}, &pre); err != nil {
		return "", fmt.Errorf("upload.getPresignedUrl: %w", err)
	}
	put := firstString(pre, "uploadUrl", "presignedUrl", "url")
	receipt := firstString(pre, "receiptId", "uploadReceiptId", "id")
	if put == "" || receipt == "" {
		return "", fmt.Errorf("upload.getPresignedUrl returned no upload URL / receipt id (keys %v)", keys(pre))
	}
	u, err := url.Parse(put)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("upload.getPresignedUrl returned an unusable upload URL")
	}
	cctx, cancel := context.WithTimeout(ctx, f.Env.Cfg.Duration(config.HTTPTimeout))
	defer cancel()
	req, _ := http.NewRequestWithContext(cctx, http.MethodPut, put, bytes.NewReader(img))
	req.Header.Set("Content-Type", "image/png")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("PUT proof photo to the presigned URL on %s: %v", u.Host, errors.Unwrap(err))
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("PUT proof photo to the presigned URL on %s = %d: %s", u.Host, resp.StatusCode, hxapi.Excerpt(body, 200))
	}
	var fin map[string]any
	if err := f.api.Mutate(ctx, "upload.finalizeImageUpload", tok, map[string]any{"taskId": f.TaskID, "receiptId": receipt}, &fin); err != nil {
		return "", fmt.Errorf("upload.finalizeImageUpload: %w", err)
	}
	if c := firstString(fin, "checksumSha256"); c != "" && c != sum {
		return "", fmt.Errorf("upload.finalizeImageUpload reports checksum %s, uploaded %s", c, sum)
	}
	return receipt, nil
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (f *Flow) stepProof(ctx context.Context, s *stepRun) error {
	tok := f.Hustler.Identity.IDToken
	for _, p := range []string{"task.markTraveling", "task.start"} {
		if err := f.api.Mutate(ctx, p, tok, map[string]any{"taskId": f.TaskID}, nil); err != nil {
			return fmt.Errorf("%s by the assigned hustler: %w", p, err)
		}
	}
	img := proofImage(f.tag())
	h := sha256.Sum256(img)
	sum := hex.EncodeToString(h[:])
	receipt, err := f.upload(ctx, img, sum)
	if err != nil {
		return err
	}
	var out struct {
		Task  apiTask `json:"task"`
		Proof struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"proof"`
	}
	in := map[string]any{"taskId": f.TaskID, "description": "Launchcheck proof " + f.tag(), "clientSubmissionId": f.tag() + "-proof",
		"photoEvidence": []map[string]any{{"uploadReceiptId": receipt, "contentType": "image/png", "fileSizeBytes": len(img),
			"checksumSha256": sum, "capturedAt": time.Now().UTC().Format(time.RFC3339)}}}
	if err := f.api.Mutate(ctx, "task.submitProof", tok, in, &out); err != nil {
		return fmt.Errorf("task.submitProof: %w", err)
	}
	if out.Task.State != "PROOF_SUBMITTED" || out.Proof.ID == "" || out.Proof.State != "SUBMITTED" {
		return fmt.Errorf("task.submitProof returned task state %q proof %q/%q, want PROOF_SUBMITTED and a SUBMITTED proof", out.Task.State, out.Proof.ID, out.Proof.State)
	}
	f.ProofID = out.Proof.ID
	return f.sql(ctx, func(tx pgx.Tx) error {
		var taskState string
		if err := tx.QueryRow(ctx, `SELECT state FROM tasks WHERE id = $1`, f.TaskID).Scan(&taskState); err != nil {
			return err
		}
		var n int
		var state string
		err := tx.QueryRow(ctx, `SELECT count(*) OVER (), state FROM proofs WHERE task_id = $1 AND id::text = $2`, f.TaskID, f.ProofID).Scan(&n, &state)
		if errors.Is(err, pgx.ErrNoRows) {
			var any int
			tx.QueryRow(ctx, `SELECT count(*) FROM proofs WHERE task_id = $1`, f.TaskID).Scan(&any)
			return fmt.Errorf("task.submitProof answered proof %s, but the proofs table has no such row (%d proof rows for task %s): the proof was not stored", f.ProofID, any, f.TaskID)
		}
		if err != nil {
			return err
		}
		if state != "SUBMITTED" || taskState != "PROOF_SUBMITTED" {
			return fmt.Errorf("after task.submitProof: proof %s is %s, task %s is %s; want SUBMITTED and PROOF_SUBMITTED", f.ProofID, state, f.TaskID, taskState)
		}
		s.evidence("proof", f.ProofID+" SUBMITTED (1 photo, receipt "+receipt+"); task PROOF_SUBMITTED")
		return nil
	})
}

// ---------------------------------------------------------------- FUN-7

type apiEscrow struct {
	ID                     string  `json:"id"`
	State                  string  `json:"state"`
	Amount                 int64   `json:"amount"`
	StripeTransferID       *string `json:"stripe_transfer_id"`
	PayoutProvider         *string `json:"payout_provider"`
	ProviderTransferID     *string `json:"provider_transfer_id"`
	ProviderTransferStatus *string `json:"provider_transfer_status"`
	ReleasedAt             *string `json:"released_at"`
}

func (f *Flow) escrowState(ctx context.Context) (string, string, error) {
	var es, ts string
	err := f.sql(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT e.state, t.state FROM escrows e JOIN tasks t ON t.id = e.task_id WHERE e.id = $1`, f.EscrowID).Scan(&es, &ts)
	})
	return es, ts, err
}

func (f *Flow) stepRelease(ctx context.Context, s *stepRun) error {
	if err := f.reviewAndComplete(ctx); err != nil {
		return err
	}
	esc, err := f.awaitRelease(ctx)
	if err != nil {
		return err
	}
	if problems := payoutProblems(esc); len(problems) > 0 {
		return fmt.Errorf("RELEASED escrow %s lacks payout evidence: %s", f.EscrowID, strings.Join(problems, "; "))
	}
	f.TransferID = *esc.StripeTransferID
	trID := f.TransferID
	f.onCleanup(func(ctx context.Context) string { return f.reverseTransfer(ctx, trID) })
	tr, err := f.verifyTransfer(ctx, esc)
	if err != nil {
		return err
	}
	if err := f.verifyXP(ctx); err != nil {
		return err
	}
	s.evidence("escrow", fmt.Sprintf("%s FUNDED → RELEASED, transfer %s (%d cents to %s, metadata.escrow_id ok), provider_transfer_status %s",
		f.EscrowID, tr.ID, tr.Amount, tr.Destination.ID, deref(esc.ProviderTransferStatus)))
	s.evidence("xp_ledger", "1 row for the hustler")
	return nil
}

// reviewAndComplete accepts the proof and completes the task as the poster;
// the escrow must not be RELEASED before the task is COMPLETED (INV-2).
func (f *Flow) reviewAndComplete(ctx context.Context) error {
	tok := f.Poster.Identity.IDToken
	err := f.api.Mutate(ctx, "task.reviewProof", tok, map[string]any{"taskId": f.TaskID, "proofId": f.ProofID, "decision": "ACCEPTED"}, nil)
	if err != nil {
		msg := fmt.Sprintf("task.reviewProof (ACCEPTED): %v", err)
		if strings.Contains(err.Error(), "HX201") || strings.Contains(err.Error(), "INV-2") {
			msg += " — the backend tried to release the escrow before the task was COMPLETED and the invariant trigger escrow_released_requires_completed_task (HX201) refused it"
			if es, ts, e := f.escrowState(ctx); e == nil {
				msg += fmt.Sprintf("; the trigger held: escrow %s, task %s", es, ts)
			}
		}
		return errors.New(msg)
	}
	if es, ts, err := f.escrowState(ctx); err != nil {
		return err
	} else if es == "RELEASED" && ts != "COMPLETED" {
		return fmt.Errorf("escrow %s is RELEASED while task %s is %s: released before completion (INV-2 not enforced)", f.EscrowID, f.TaskID, ts)
	}
	var done apiTask
	if err := f.api.Mutate(ctx, "task.complete", tok, map[string]any{"taskId": f.TaskID}, &done); err != nil {
		return fmt.Errorf("task.complete: %w", err)
	}
	if done.State != "COMPLETED" {
		return fmt.Errorf("task.complete returned state %q, want COMPLETED", done.State)
	}
	return nil
}

// awaitRelease polls escrow.getByTaskId until the escrow is RELEASED.
func (f *Flow) awaitRelease(ctx context.Context) (*apiEscrow, error) {
	wait := f.Env.Cfg.Duration(config.FunReleaseTimeout)
	var esc apiEscrow
	err := check.Poll(ctx, wait, func(ctx context.Context) error {
		if err := f.api.Query(ctx, "escrow.getByTaskId", f.Poster.Identity.IDToken, map[string]any{"taskId": f.TaskID}, &esc); err != nil {
			if te, ok := hxapi.AsTRPCError(err); ok && te.HTTPStatus < 500 && te.Code != "TOO_MANY_REQUESTS" {
				return check.Permanent(err)
			}
			return err
		}
		if esc.State != "RELEASED" {
			return fmt.Errorf("escrow %s is %s", f.EscrowID, esc.State)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escrow not RELEASED within %s after task.complete (%s): %v", wait, config.FunReleaseTimeout, oneLine(err))
	}
	return &esc, nil
}

// payoutProblems lists the STRIPE payout evidence a RELEASED escrow lacks.
func payoutProblems(esc *apiEscrow) []string {
	var problems []string
	if esc.StripeTransferID == nil || !strings.HasPrefix(*esc.StripeTransferID, "tr_") {
		problems = append(problems, "stripe_transfer_id "+deref(esc.StripeTransferID)+", want tr_…")
	}
	if deref(esc.PayoutProvider) != "STRIPE" {
		problems = append(problems, "payout_provider "+deref(esc.PayoutProvider)+", want STRIPE")
	}
	if deref(esc.ProviderTransferID) != deref(esc.StripeTransferID) {
		problems = append(problems, "provider_transfer_id "+deref(esc.ProviderTransferID)+" ≠ stripe_transfer_id")
	}
	if st := deref(esc.ProviderTransferStatus); st != "submitted" && st != "processing" && st != "paid" {
		problems = append(problems, "provider_transfer_status "+st+", want submitted|processing|paid")
	}
	if esc.ReleasedAt == nil {
		problems = append(problems, "released_at not set")
	}
	return problems
}

// verifyTransfer reads the release's transfer from Stripe: it names the
// escrow, pays at most the escrow amount, is not reversed, and goes to the
// connected account the backend holds for the hustler (users.stripe_connect_id).
func (f *Flow) verifyTransfer(ctx context.Context, esc *apiEscrow) (*stripe.Transfer, error) {
	tp := &stripe.TransferParams{}
	tp.Context = ctx
	tr, err := f.stripe.Transfers.Get(f.TransferID, tp)
	if err != nil {
		return nil, fmt.Errorf("Stripe GET /v1/transfers/%s: %s", f.TransferID, stripeapi.Describe(err))
	}
	if tr.Metadata["escrow_id"] != f.EscrowID || tr.Amount <= 0 || tr.Amount > esc.Amount || tr.Reversed {
		return nil, fmt.Errorf("transfer %s: metadata.escrow_id %q amount %d reversed %v; want escrow %s, 0 < amount ≤ %d, not reversed",
			tr.ID, tr.Metadata["escrow_id"], tr.Amount, tr.Reversed, f.EscrowID, esc.Amount)
	}
	var account string
	if err := f.sql(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT coalesce(stripe_connect_id, '') FROM users WHERE id = $1`, f.Hustler.UserID).Scan(&account)
	}); err != nil {
		return nil, err
	}
	dest := ""
	if tr.Destination != nil {
		dest = tr.Destination.ID
	}
	if account == "" {
		return nil, fmt.Errorf("transfer %s goes to %q, but the hustler %s has no connected account (users.stripe_connect_id is NULL): the payout is not tied to the hustler",
			tr.ID, dest, f.Hustler.UserID)
	}
	if dest != account {
		return nil, fmt.Errorf("transfer %s: destination %q, want the hustler's connected account %q (users.stripe_connect_id of %s): the payout went elsewhere",
			tr.ID, dest, account, f.Hustler.UserID)
	}
	return tr, nil
}

// verifyXP waits briefly for the release's xp_ledger row: exactly one, for
// the hustler.
func (f *Flow) verifyXP(ctx context.Context) error {
	var rows int
	var user string
	check.Poll(ctx, 3*time.Second, func(ctx context.Context) error {
		return f.sql(ctx, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(min(user_id::text), '') FROM xp_ledger WHERE escrow_id = $1`, f.EscrowID).Scan(&rows, &user); err != nil {
				return check.Permanent(err)
			}
			if rows == 0 {
				return errors.New("no xp_ledger row yet")
			}
			return nil
		})
	})
	if rows != 1 || user != f.Hustler.UserID {
		return fmt.Errorf("xp_ledger rows for escrow %s: %d (user %q), want exactly 1 for the hustler %s: XP not awarded on release", f.EscrowID, rows, user, f.Hustler.UserID)
	}
	return nil
}

// paymentsPaused recognises the frozen-payment-creation refusal by what
// reaches the wire: PRECONDITION_FAILED with the "temporarily paused"
// message (the backend's formatter drops applicationCode; an older one that
// still sends PAYMENT_CREATION_FROZEN is recognised too).
func paymentsPaused(te *hxapi.TRPCError) bool {
	return te.ApplicationCode == "PAYMENT_CREATION_FROZEN" ||
		(te.Code == "PRECONDITION_FAILED" && strings.Contains(strings.ToLower(te.Message), "temporarily paused"))
}
