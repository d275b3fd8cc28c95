// Package stripex builds a stripe-go v76 client from the launchcheck
// configuration (STRIPE_API_BASE, STRIPE_SECRET_KEY, HUSTLEXP_HTTP_TIMEOUT)
// and lists Stripe collections completely with 100 objects per call.
package stripex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/hustlexp/launchcheck/internal/config"
)

// New returns a client aimed at STRIPE_API_BASE with a per-call timeout and
// no automatic retries (a check decides itself whether to wait).
func New(cfg *config.Config) *client.API {
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(strings.TrimRight(cfg.Get(config.StripeAPIBase), "/")),
		HTTPClient:        &http.Client{Timeout: cfg.Duration(config.HTTPTimeout)},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	sc := &client.API{}
	sc.Init(cfg.Get(config.StripeSecretKey), &stripe.Backends{API: b, Connect: b, Uploads: b})
	return sc
}

// PageSize is Stripe's maximum list limit.
const PageSize = 100

// Describe turns a stripe-go error into one line naming status, type, code
// and message (never the key).
func Describe(err error) string {
	var se *stripe.Error
	if errors.As(err, &se) {
		s := fmt.Sprintf("HTTP %d %s", se.HTTPStatusCode, se.Type)
		if se.Code != "" {
			s += "/" + string(se.Code)
		}
		return s + ": " + se.Msg
	}
	return err.Error()
}

// Iter is what stripe-go list iterators have in common.
type Iter interface {
	Next() bool
	Err() error
	Current() interface{}
	Meta() *stripe.ListMeta
}

// Drain walks it to the end (or max objects, or ctx done), calling fn per
// object; it returns how many objects were seen and whether max was hit.
func Drain(ctx context.Context, it Iter, max int, fn func(v any)) (n int, capped bool, err error) {
	for it.Next() {
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		fn(it.Current())
		n++
		if max > 0 && n >= max {
			return n, true, nil
		}
	}
	return n, false, it.Err()
}

// Counter counts HTTP calls a client made (benchmarks, evidence).
type Counter struct{ n atomic.Int64 }

// Calls returns the number of calls so far.
func (c *Counter) Calls() int64 { return c.n.Load() }

type countingRT struct {
	c    *Counter
	next http.RoundTripper
}

func (r countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.c.n.Add(1)
	return r.next.RoundTrip(req)
}

// NewCounting is New with a call counter.
func NewCounting(cfg *config.Config) (*client.API, *Counter) {
	c := &Counter{}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(strings.TrimRight(cfg.Get(config.StripeAPIBase), "/")),
		HTTPClient:        &http.Client{Timeout: cfg.Duration(config.HTTPTimeout), Transport: countingRT{c, http.DefaultTransport}},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	sc := &client.API{}
	sc.Init(cfg.Get(config.StripeSecretKey), &stripe.Backends{API: b, Connect: b, Uploads: b})
	return sc, c
}
