// Package stripeapi builds a stripe-go v76 client from the launchcheck
// configuration (STRIPE_API_BASE, STRIPE_SECRET_KEY, HUSTLEXP_HTTP_TIMEOUT)
// and lists Stripe collections completely with 100 objects per call.
package stripeapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/account"
	"github.com/stripe/stripe-go/v76/balance"
	"github.com/stripe/stripe-go/v76/customer"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"github.com/stripe/stripe-go/v76/refund"
	"github.com/stripe/stripe-go/v76/transfer"
	"github.com/stripe/stripe-go/v76/transferreversal"
	"github.com/stripe/stripe-go/v76/webhookendpoint"

	"github.com/hustlexp/launchcheck/internal/config"
)

// API is the part of Stripe's API launchcheck calls: one stripe-go resource
// client per collection, with the field names of stripe-go's umbrella
// client.API. The umbrella package links every one of stripe-go's ~130
// resource packages into each test binary; these eight are all the suite
// uses (issue 14: compile time of the gate).
type API struct {
	Accounts          *account.Client
	Balance           *balance.Client
	Customers         *customer.Client
	PaymentIntents    *paymentintent.Client
	Refunds           *refund.Client
	Transfers         *transfer.Client
	TransferReversals *transferreversal.Client
	WebhookEndpoints  *webhookendpoint.Client
}

// NewAPI returns the resource clients for key over backend b.
func NewAPI(key string, b stripe.Backend) *API {
	return &API{
		Accounts:          &account.Client{B: b, Key: key},
		Balance:           &balance.Client{B: b, Key: key},
		Customers:         &customer.Client{B: b, Key: key},
		PaymentIntents:    &paymentintent.Client{B: b, Key: key},
		Refunds:           &refund.Client{B: b, Key: key},
		Transfers:         &transfer.Client{B: b, Key: key},
		TransferReversals: &transferreversal.Client{B: b, Key: key},
		WebhookEndpoints:  &webhookendpoint.Client{B: b, Key: key},
	}
}

// New returns a client aimed at STRIPE_API_BASE with a per-call timeout and
// no automatic retries (a check decides itself whether to wait).
func New(cfg *config.Config) *API {
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(strings.TrimRight(cfg.Get(config.StripeAPIBase), "/")),
		HTTPClient:        &http.Client{Timeout: cfg.Duration(config.HTTPTimeout)},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return NewAPI(cfg.Get(config.StripeSecretKey), b)
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
func NewCounting(cfg *config.Config) (*API, *Counter) {
	c := &Counter{}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(strings.TrimRight(cfg.Get(config.StripeAPIBase), "/")),
		HTTPClient:        &http.Client{Timeout: cfg.Duration(config.HTTPTimeout), Transport: countingRT{c, http.DefaultTransport}},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return NewAPI(cfg.Get(config.StripeSecretKey), b), c
}
