package functional

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Flow is one run of the functional flow of contract §10 over the real API:
// two Firebase identities, a task, its escrow, a PaymentIntent, funding,
// acceptance, proof, completion, release and XP. Steps run in the
// contract's order; each step belongs to one checklist row. A row's check
// runs every earlier step it depends on (once per Flow), so each row can be
// reported on its own, and a row whose prerequisite failed reports
// "blocked by FUN-n" instead of running on bad state.
type Flow struct {
	Env *target.Env

	mu     sync.Mutex
	steps  []*step
	seq    int64
	closed bool
	// Suffix, when set, is appended to the run tag of everything this flow
	// creates (self-tests use it to keep their flows apart).
	Suffix string

	api     *hxapi.Client
	fb      *firebaseauth.Client
	stripe  *stripeapi.API
	cleanup []func(ctx context.Context) string

	// What the flow created (read after the steps ran).
	Poster, Hustler Participant
	Price           int64
	TaskID          string
	EscrowID        string
	PaymentIntentID string
	ClientSecret    string
	ProbeTaskID     string
	ProofID         string
	TransferID      string
}

// Participant is a test user: its Firebase identity and its users row.
type Participant struct {
	Identity *firebaseauth.Identity
	UserID   string
}

type step struct {
	row        string
	name       string
	run        func(ctx context.Context, s *stepRun) error
	ran        bool
	err        error
	unverified string
	evidence   [][2]string
	ranFor     string   // the row whose check ran it
	logs       []string // progress lines, printed after the verdict's cause
}

// stepRun is what a step uses to talk to the running check.
type stepRun struct {
	t    check.T
	f    *Flow
	step *step
}

func (s *stepRun) evidence(k string, v any) {
	s.step.evidence = append(s.step.evidence, [2]string{k, fmt.Sprint(v)})
}

// logf keeps a progress line; Row prints it after the row's first message,
// so a failure's headline is its cause, never a progress or timing line.
func (s *stepRun) logf(format string, args ...any) {
	s.step.logs = append(s.step.logs, fmt.Sprintf("%s %s: %s", s.step.row, s.step.name, fmt.Sprintf(format, args...)))
}

// unverifiedError ends a step as "could not be verified".
type unverifiedError struct{ reason string }

func (u unverifiedError) Error() string { return "unverified: " + u.reason }

var flowSeq atomic.Int64

// NewFlow prepares a flow against env. Nothing is created until a row runs.
func NewFlow(env *target.Env) *Flow {
	f := &Flow{Env: env, Price: int64(env.Cfg.Int(config.FunTaskPrice))}
	f.steps = []*step{
		{row: "FUN-1", name: "register poster and hustler", run: f.stepRegister},
		{row: "FUN-2", name: "task.create", run: f.stepCreateTask},
		{row: "FUN-5", name: "escrow.createPaymentIntent", run: f.stepPaymentIntent},
		{row: "FUN-4", name: "confirm PaymentIntent + escrow.confirmFunding", run: f.stepFunding},
		{row: "FUN-3", name: "assignment of an unfunded task is refused", run: f.stepUnfundedProbe},
		{row: "FUN-3", name: "applyForTask + assignWorker", run: f.stepAssign},
		{row: "FUN-6", name: "upload + task.submitProof", run: f.stepProof},
		{row: "FUN-7", name: "reviewProof + complete + release", run: f.stepRelease},
	}
	return f
}

// tag is the namespace of this flow's objects: launchcheck-<runid>, plus a
// sequence number for every flow after the first in one process.
func (f *Flow) tag() string {
	if f.Suffix != "" {
		return f.Env.Tag() + "-" + f.Suffix
	}
	if f.seq == 1 {
		return f.Env.Tag()
	}
	return fmt.Sprintf("%s-f%d", f.Env.Tag(), f.seq)
}

// needs lists the configuration every row needs.
func needs(cfg *config.Config) []string {
	n := []string{config.BaseURL, config.DatabaseURL, config.StripeSecretKey, config.FirebaseProjectID}
	if cfg.Live() && !stagingOnEmulator(cfg) {
		n = append(n, config.FirebaseWebAPIKey, config.FirebaseCredentialsFile)
	}
	return n
}

// liveStripeKey reports an sk_live_/rk_live_ key.
func (f *Flow) liveStripeKey() bool {
	k := f.Env.Cfg.Get(config.StripeSecretKey)
	return strings.HasPrefix(k, "sk_live_") || strings.HasPrefix(k, "rk_live_")
}

func (f *Flow) clients() error {
	if f.seq == 0 && f.Suffix == "" {
		f.seq = flowSeq.Add(1)
	}
	if f.api != nil {
		return nil
	}
	fb, err := firebaseauth.New(f.Env.Cfg)
	if err != nil {
		return err
	}
	f.api, f.fb, f.stripe = hxapi.New(f.Env), fb, stripeapi.New(f.Env.Cfg)
	return nil
}

// Row runs the steps up to and including row's and reports row: pass, fail
// (its own step failed), unverified, or blocked by an earlier row.
func (f *Flow) Row(t check.T, row string) {
	t.Helper()
	check.Need(t, f.Env.Cfg, needs(f.Env.Cfg)...)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		t.Fatalf("%s: the functional flow was already cleaned up (rows must run in one test binary)", row)
	}
	last := -1
	for i, s := range f.steps {
		if s.row == row {
			last = i
		}
	}
	if last < 0 {
		t.Fatalf("unknown functional row %s", row)
	}
	var ranNow []*step
	// progress and timing lines go out after the verdict's cause
	flush := func() {
		for _, s := range ranNow {
			for _, l := range s.logs {
				t.Logf("%s", l)
			}
		}
	}
	for _, s := range f.steps[:last+1] {
		if !s.ran {
			f.runStep(t, s, row)
			ranNow = append(ranNow, s)
		}
		if s.err == nil {
			continue
		}
		if s.row == row {
			f.report(t, row)
			if s.unverified != "" {
				flush()
				check.Unverified(t, "%s", s.unverified)
			}
			t.Errorf("%s %s: %v", row, s.name, s.err)
			flush()
			t.FailNow()
		}
		if s.unverified != "" {
			flush()
			check.Unverified(t, "blocked by %s (unverified: %s)", s.row, s.unverified)
		}
		t.Errorf("blocked by %s: %s: %v — %s was not run on that state", s.row, s.name, oneLine(s.err), row)
		flush()
		t.FailNow()
	}
	f.report(t, row)
	flush()
}

func (f *Flow) runStep(t check.T, s *step, row string) {
	s.ran, s.ranFor = true, row
	if err := f.clients(); err != nil {
		s.err = err
		return
	}
	start := time.Now()
	err := s.run(t.Context(), &stepRun{t: t, f: f, step: s})
	var uv unverifiedError
	if errors.As(err, &uv) {
		s.unverified = uv.reason
	}
	s.err = err
	s.logs = append(s.logs, fmt.Sprintf("%s step %q: %s in %s", s.row, s.name, map[bool]string{true: "ok", false: "FAILED"}[err == nil], time.Since(start).Round(time.Millisecond)))
}

func (f *Flow) report(t check.T, row string) {
	for _, s := range f.steps {
		if s.row != row {
			continue
		}
		for _, kv := range s.evidence {
			check.Evidence(t, kv[0], kv[1])
		}
	}
}

// onCleanup registers an undo step, run by Close (reverse order); it
// returns "" or what it could not undo.
func (f *Flow) onCleanup(fn func(ctx context.Context) string) {
	f.cleanup = append(f.cleanup, fn)
}

// Close removes or cancels what the flow created (test users deleted,
// PaymentIntents cancelled, open tasks cancelled) and returns one line per
// thing it did or could not undo. Safe to call twice.
func (f *Flow) Close() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []string
	for i := len(f.cleanup) - 1; i >= 0; i-- {
		if msg := f.cleanup[i](ctx); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// stagingOnEmulator: a staging stack on the Firebase Auth emulator needs no
// web API key or service account; production always does (the emulator is
// refused there, see firebaseauth.New).
func stagingOnEmulator(cfg *config.Config) bool {
	return cfg.Target == config.Staging && cfg.Get(config.FirebaseAuthEmulatorHost) != ""
}
