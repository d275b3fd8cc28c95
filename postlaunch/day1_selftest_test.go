//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/datagen"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

const day1Timeout = 60 * time.Second

func TestSelfDAY2NoEscrowDrift(t *testing.T) {
	_, world := harness.World(t)
	checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, world) })
	l := newLedger(t, 2)
	r := checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, l.env) })
	if r.Attrs["evidence.drift"] != "none" {
		t.Fatalf("healthy ledger: evidence %v", r.Attrs)
	}

	type fault struct {
		name   string
		inject func(t *testing.T, l *ledger)
		env    map[string]string
		wants  []string
	}
	faults := []fault{
		{"released escrow, task not completed", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE tasks SET state = 'ACCEPTED' WHERE id = '%s'", l.seeded.First("RELEASED").TaskID))
		}, nil, []string{postlaunch.DriftReleasedTaskNotCompleted}},
		{"funded long after the task ended", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE tasks SET state = 'CANCELLED', updated_at = now() - interval '3 days' WHERE id = '%s'", l.seeded.First("FUNDED").TaskID))
		}, nil, []string{postlaunch.DriftFundedStale}},
		{"released without transfer", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE escrows SET stripe_transfer_id = NULL, provider_transfer_id = NULL WHERE id = '%s'", l.seeded.First("RELEASED").ID))
		}, nil, []string{postlaunch.DriftReleasedNoTransfer}},
		{"released by a non-Stripe provider in production", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE escrows SET payout_provider = 'MANUAL_RECONCILIATION' WHERE id = '%s'", l.seeded.First("RELEASED").ID))
		}, map[string]string{config.HustlexpTarget: "production"}, []string{postlaunch.DriftReleasedNotStripe}},
		{"refunded without refund id", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE escrows SET stripe_refund_id = NULL WHERE id = '%s'", l.seeded.First("REFUNDED").ID))
		}, nil, []string{postlaunch.DriftRefundedNoRefund}},
		{"funded without payment intent", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE escrows SET stripe_payment_intent_id = NULL WHERE id = '%s'", l.seeded.First("FUNDED").ID))
		}, nil, []string{postlaunch.DriftNoPaymentIntent}},
		{"stripe event failed", func(t *testing.T, l *ledger) {
			l.fault(t, "INSERT INTO stripe_events(stripe_event_id, type, created, payload_json, result, error_message) VALUES ('evt_fault_failed', 'transfer.created', now(), '{\"id\":\"evt_fault_failed\"}', 'failed', 'net payout mismatch')")
		}, nil, []string{postlaunch.DriftStripeEventFailed, "evt_fault_failed"}},
		{"stripe event stuck in processing", func(t *testing.T, l *ledger) {
			l.fault(t, "INSERT INTO stripe_events(stripe_event_id, type, created, payload_json, result, claimed_at) VALUES ('evt_fault_stuck', 'payment_intent.succeeded', now() - interval '31 minutes', '{\"id\":\"evt_fault_stuck\"}', 'processing', now() - interval '30 minutes')")
		}, nil, []string{postlaunch.DriftStripeEventStuck, "evt_fault_stuck"}},
		{"outbox backlog", func(t *testing.T, l *ledger) {
			l.fault(t, "INSERT INTO outbox_events(event_type, aggregate_type, aggregate_id, idempotency_key, queue_name, status, created_at) VALUES ('escrow.release_requested', 'escrow', gen_random_uuid(), 'escrow.release_requested:fault', 'critical_payments', 'pending', now() - interval '2 hours')")
		}, nil, []string{postlaunch.DriftOutboxBacklog, "escrow.release_requested"}},
		{"PI requires_payment_method for a FUNDED escrow", func(t *testing.T, l *ledger) {
			if err := l.fake.SetPaymentIntentStatus(l.seeded.First("FUNDED").PI, "requires_payment_method"); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftPINotSucceeded, "requires_payment_method"}},
		{"PI amount received differs", func(t *testing.T, l *ledger) {
			e := l.seeded.First("FUNDED")
			if err := l.fake.SetPaymentIntentAmountReceived(e.PI, e.Amount-100); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftPIAmount}},
		{"PI missing in Stripe", func(t *testing.T, l *ledger) { l.fake.DeletePaymentIntent(l.seeded.First("RELEASED").PI) },
			nil, []string{postlaunch.DriftPIMissing}},
		{"PENDING escrow whose PI succeeded", func(t *testing.T, l *ledger) {
			e := l.seeded.First("PENDING")
			if err := l.fake.Seed(&stripefake.PaymentIntent{Amount: e.Amount, AmountReceived: e.Amount, Status: "succeeded",
				Metadata: map[string]string{"task_id": e.TaskID}, Created: time.Now().Add(-time.Hour).Unix()}); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftPendingButPaid}},
		{"transfer missing", func(t *testing.T, l *ledger) { l.fake.DeleteTransfer(l.seeded.First("RELEASED").Transfer) },
			nil, []string{postlaunch.DriftTransferMissing}},
		{"transfer reversed", func(t *testing.T, l *ledger) {
			if err := l.fake.ReverseTransfer(l.seeded.First("RELEASED").Transfer); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftTransferReversed}},
		{"transfer metadata names another escrow", func(t *testing.T, l *ledger) {
			if err := l.fake.SetTransferMetadata(l.seeded.First("RELEASED").Transfer, "escrow_id", datagen.UUID("someone-else")); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftTransferMetadata}},
		{"transfer paid but escrow not released", func(t *testing.T, l *ledger) {
			e := l.seeded.First("FUNDED")
			if err := l.fake.Seed(&stripefake.Transfer{Amount: e.Amount * 4 / 5, Destination: "acct_x", Created: time.Now().Add(-time.Hour).Unix(),
				Metadata: map[string]string{"escrow_id": e.ID}}); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftTransferNoRelease}},
		{"transfer for an escrow the database lacks", func(t *testing.T, l *ledger) {
			if err := l.fake.Seed(&stripefake.Transfer{Amount: 4000, Destination: "acct_x", Created: time.Now().Add(-time.Hour).Unix(),
				Metadata: map[string]string{"escrow_id": datagen.UUID("ghost")}}); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftTransferUnknownEscr}},
		{"refund missing in Stripe", func(t *testing.T, l *ledger) {
			l.fault(t, fmt.Sprintf("UPDATE escrows SET stripe_refund_id = 're_doesnotexist' WHERE id = '%s'", l.seeded.First("REFUNDED").ID))
		}, nil, []string{postlaunch.DriftRefundMissing, "re_doesnotexist"}},
		{"refund failed", func(t *testing.T, l *ledger) {
			if err := l.fake.SetRefundStatus(l.seeded.First("REFUNDED").Refund, "failed"); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{postlaunch.DriftRefundNotSucceeded, "failed"}},
	}
	for _, f := range faults {
		t.Run("fault="+f.name, func(t *testing.T) {
			l := newLedger(t, 1)
			f.inject(t, l)
			env := l.env
			if f.env != nil {
				env = env.MustWith(f.env)
			}
			r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, env) }, f.wants...)
			t.Logf("%s", r.Text())
		})
	}
	t.Run("fault=Stripe unreachable", func(t *testing.T) {
		l := newLedger(t, 1)
		l.fake.SetOutage(503)
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, l.env) }, "list PaymentIntents", "503")
	})
	t.Run("fault=Stripe key rejected", func(t *testing.T) {
		l := newLedger(t, 1)
		bad := l.env.MustWith(map[string]string{config.StripeSecretKey: "sk_test_wrong"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, bad) }, "401")
	})
}

func TestSelfDAY3AISpend(t *testing.T) {
	w, env := harness.World(t)
	rurl := redisDB(t, w, "7")
	opt, _ := redis.ParseURL(rurl)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	key := "ai:global_spend:" + time.Now().UTC().Format("2006-01-02")
	t.Cleanup(func() { rdb.Del(context.Background(), key) })
	spend := env.MustWith(map[string]string{config.RedisURL: rurl})
	checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, env) })

	if err := rdb.Set(ctx, key, "1234", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	r := checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) })
	if got := r.Attrs["evidence.ai_spend.redis"]; got == "" || got[:6] != "$12.34" {
		t.Fatalf("evidence ai_spend.redis = %q, want $12.34 …", got)
	}

	t.Run("fault=spend $51 in Redis", func(t *testing.T) {
		if err := rdb.Set(ctx, key, "5100", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rdb.Set(context.Background(), key, "1234", time.Hour) })
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) }, "redis", "$51.00", "$50.00 daily budget")
	})
	t.Run("fault=spend $51 in ai_cost_logs", func(t *testing.T) {
		l := newLedger(t, 1)
		l.fault(t, `CREATE TABLE ai_cost_logs (id serial PRIMARY KEY, agent_type text, user_id uuid, provider text, model text,
			tokens_used int, estimated_cost_cents int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
			GRANT SELECT ON ai_cost_logs TO launchcheck_ro;
			INSERT INTO ai_cost_logs(agent_type, provider, model, tokens_used, estimated_cost_cents)
			  SELECT 'judge', 'openai', 'gpt', 1000, 51 FROM generate_series(1, 100);
			INSERT INTO ai_cost_logs(agent_type, provider, model, tokens_used, estimated_cost_cents, created_at)
			  VALUES ('judge', 'openai', 'gpt', 1000, 99999, now() - interval '2 days')`)
		bad := l.env.MustWith(map[string]string{config.RedisURL: rurl})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, bad) }, "ai_cost_logs", "$51.00")
	})
	t.Run("fault=spend $51 in the AI cost metric", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		p.AddSeries(map[string]string{"__name__": "hustlexp_ai_cost_usd_today", "job": "hustlexp-api"}, time.Now().Add(-30*time.Minute), time.Now(),
			func(time.Time) float64 { return 51 })
		withMetric := spend.MustWith(map[string]string{config.PrometheusURL: p.URL, config.AICostQuery: "sum(hustlexp_ai_cost_usd_today)"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, withMetric) }, "AI spend from metric", "$51.00")
	})
	t.Run("fault=no source observable", func(t *testing.T) {
		none := env.MustWith(map[string]string{config.RedisURL: "", config.DatabaseURL: ""})
		r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, none) }, "no AI spend source observable")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=Redis unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RedisURL: "redis://127.0.0.1:1/0"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, bad) }, "ai:global_spend", "127.0.0.1:1")
	})

	// The tracker must be seen alive: a missing key is not "$0 spent".
	yesterday := "ai:global_spend:" + time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	other := "ai:daily_spend:" + time.Now().UTC().Format("2006-01-02")
	t.Cleanup(func() { rdb.Del(context.Background(), yesterday, other) })
	withoutToday := func(t *testing.T) {
		rdb.Del(ctx, key)
		t.Cleanup(func() { rdb.Set(context.Background(), key, "1234", time.Hour) })
	}
	t.Run("only yesterday's key: the tracker is alive, $0 today", func(t *testing.T) {
		withoutToday(t)
		rdb.Set(ctx, yesterday, "4100", time.Hour)
		t.Cleanup(func() { rdb.Del(context.Background(), yesterday) })
		r := checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) })
		if got := r.Attrs["evidence.ai_spend.redis"]; !strings.HasPrefix(got, "$0.00") {
			t.Fatalf("evidence ai_spend.redis = %q, want $0.00 …", got)
		}
	})
	t.Run("fault=spend under another key while AI calls happen", func(t *testing.T) {
		withoutToday(t)
		rdb.Set(ctx, other, "5100", time.Hour)
		t.Cleanup(func() { rdb.Del(context.Background(), other) })
		r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) },
			"no evidence the AI spend tracker is alive", "neither "+key, other, "another name")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=no key at all", func(t *testing.T) {
		withoutToday(t)
		r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) },
			"no evidence the AI spend tracker is alive", "neither "+key, yesterday)
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=ai_cost_logs without a row in 24 h and no Redis key", func(t *testing.T) {
		withoutToday(t)
		l := newLedger(t, 1)
		l.fault(t, `CREATE TABLE ai_cost_logs (id serial PRIMARY KEY, estimated_cost_cents int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
			GRANT SELECT ON ai_cost_logs TO launchcheck_ro;
			INSERT INTO ai_cost_logs(estimated_cost_cents, created_at) VALUES (10, now() - interval '30 hours')`)
		bad := l.env.MustWith(map[string]string{config.RedisURL: rurl})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, bad) },
			"no evidence the AI spend tracker is alive", "ai_cost_logs has no row in the last 24 h")
	})
	t.Run("fault=ai_cost_logs unreadable", func(t *testing.T) {
		l := newLedger(t, 1)
		l.fault(t, `CREATE TABLE ai_cost_logs (id serial PRIMARY KEY); GRANT SELECT ON ai_cost_logs TO launchcheck_ro`)
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, l.env) }, "AI spend: ai_cost_logs on", "estimated_cost_cents")
	})
	t.Run("fault=today's key is not a number", func(t *testing.T) {
		rdb.Set(ctx, key, "lots", time.Hour)
		t.Cleanup(func() { rdb.Set(context.Background(), key, "1234", time.Hour) })
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, spend) }, "ai:global_spend", `"lots" is not a number of cents`)
	})
	t.Run("fault=AI cost metric without a sample", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		withMetric := spend.MustWith(map[string]string{config.PrometheusURL: p.URL, config.AICostQuery: "sum(hustlexp_ai_cost_usd_today)"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.AISpendWithinBudget(ct, withMetric) }, "AI spend: metric query", "no sample")
	})
}

func privateSentry(t *testing.T, env *target.Env) (*sentryfake.Fake, *target.Env) {
	t.Helper()
	f := sentryfake.Run(t, func(o *sentryfake.Options) { o.Token, o.Org, o.Project = "selftest-sentry", "hx", "api" })
	f.EnableIssues(sentryfake.HealthyIssues(time.Now()))
	f.EnableMonitoring(strings.Repeat("b", 40)) // received-event stats (DAY-4 reads them too)
	return f, env.MustWith(map[string]string{config.SentryAPIURL: f.URL, config.SentryAuthToken: "selftest-sentry",
		config.SentryOrg: "hx", config.SentryProject: "api"})
}

func TestSelfDAY4SentryNewIssues(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, env) })
	if r.Attrs["evidence.new_issues_24h"] != "2" || !strings.Contains(r.Attrs["evidence.new_issues"], "HUSTLEXP-API-3") {
		t.Fatalf("evidence: %v", r.Attrs)
	}
	t.Run("fault=new fatal issue", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.AddIssue(sentryfake.Issue{Title: "FATAL: escrow release worker crashed", Level: "fatal", Status: "unresolved", Unhandled: true,
			Count: 50, UserCount: 20, FirstSeen: time.Now().Add(-time.Hour), LastSeen: time.Now(), Environment: "production"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) }, "unhandled/fatal", "escrow release worker crashed", "×50")
	})
	t.Run("fault=new unhandled issue at level error", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.AddIssue(sentryfake.Issue{Title: "TypeError: cannot read properties of undefined (reading 'escrowId')", Level: "error", Status: "unresolved", Unhandled: true,
			Count: 12, UserCount: 9, FirstSeen: time.Now().Add(-2 * time.Hour), LastSeen: time.Now(), Environment: "production"})
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) }, "unhandled/fatal", "reading 'escrowId'", "×12", "error, unhandled")
	})
	t.Run("handled error issue with many events is listed, not failed", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.AddIssue(sentryfake.Issue{Title: "Handled: Stripe card_declined", Level: "error", Status: "unresolved",
			Count: 40, FirstSeen: time.Now().Add(-time.Hour), LastSeen: time.Now(), Environment: "production"})
		checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) })
	})
	t.Run("fault=too many new issues (paginated)", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		for i := 0; i < 150; i++ {
			f.AddIssue(sentryfake.Issue{Title: fmt.Sprintf("Error %d", i), Level: "error", Status: "unresolved", Count: 1,
				FirstSeen: time.Now().Add(-time.Hour), LastSeen: time.Now(), Environment: "production"})
		}
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) }, "152 new Sentry issues")
	})
	t.Run("organization issues endpoint, not the deprecated project one", func(t *testing.T) {
		f, priv := privateSentry(t, env)
		checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, priv) })
		f.View(func(s *sentryfake.State) {
			if s.DeprecatedIssueCalls != 0 {
				t.Fatalf("DAY-4 called the deprecated /projects/{org}/{project}/issues/ endpoint %d times", s.DeprecatedIssueCalls)
			}
		})
	})
	t.Run("fault=token revoked", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.Update(func(s *sentryfake.State) { s.Unauthorized = true })
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) }, "401", "SENTRY_AUTH_TOKEN")
	})
}
