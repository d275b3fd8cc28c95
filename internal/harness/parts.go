package harness

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/cloudflarefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/dnsfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/firebasefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/grafanafake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/pagerdutyfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/slackfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/tlsfront"
	"github.com/hustlexp/launchcheck/fixtures/fakes/upstashfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/world"
)

// Parts are the rehearsal's components, typed: each component's Start fills
// its field; a self-test reaches a fault knob as w.Railway, w.Standin, ….
// A field is nil when its component did not start (HUSTLEXP_REHEARSAL_*
// settings can leave some out).
type Parts struct {
	Standin        *standin.Server
	Stripe         *stripefake.Fake
	Railway        *railwayfake.Fake
	Neon           *neonfake.Fake
	NeonRestore    *NeonRestorer
	Sentry         *sentryfake.Fake
	Cloudflare     *cloudflarefake.Fake
	DNS            *dnsfake.Fake
	TLSFront       *tlsfront.Front
	PGProxy        *tlsfront.PGProxy
	Upstash        *upstashfake.Fake
	Firebase       *FirebaseAuth
	FirebaseConfig *firebasefake.ProjectConfig
	Prometheus     *promfake.Fake
	Grafana        *grafanafake.Fake
	Alertmanager   *alertmanagerfake.Fake
	PagerDuty      *pagerdutyfake.Fake
	Slack          *slackfake.Fake
}

// Rehearsal is a running rehearsal world with its typed parts.
type Rehearsal struct {
	*world.World
	*Parts
}

// parts maps each running world to its parts (set while its components
// start; dropped when the world closes).
var parts sync.Map

func partsOf(w *world.World) *Parts {
	p, loaded := parts.LoadOrStore(w, &Parts{})
	if !loaded {
		w.OnCloseLast(func() { parts.Delete(w) })
	}
	return p.(*Parts)
}

// Of returns w with its parts.
func Of(w *world.World) *Rehearsal { return &Rehearsal{World: w, Parts: partsOf(w)} }

var privateStandins atomic.Int64

// PrivateStandin starts a stand-in of the test's own on w's databases —
// the shared instance's environment, its own Redis key prefix (so its rate
// limit and counters are its own), no webhook worker — edited by opts, and
// closes it when the test ends. Load-heavy and limiter faults use it so
// they neither disturb nor drain the shared instance.
func PrivateStandin(t testing.TB, w *Rehearsal, opts ...standin.Option) *standin.Server {
	t.Helper()
	base := standin.Options{DSN: w.AdminDSN(), RedisURL: w.RedisURL, Env: w.Standin.Options().Env,
		RedisPrefix: fmt.Sprintf("private-%d-%d:", time.Now().UnixNano(), privateStandins.Add(1)), DisableWorker: true}
	return standin.Run(t, append([]standin.Option{func(o *standin.Options) { *o = base }}, opts...)...)
}
