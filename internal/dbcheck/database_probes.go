package dbcheck

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/pg"
)

// ProbeResult is the outcome of one attempted invariant violation.
type ProbeResult struct {
	Trigger   string
	Violation string
	Want      string // SQLSTATE the contract promises
	Got       string // SQLSTATE raised ("" = statement succeeded or non-Postgres error)
	Err       error
}

// The fixture: a CONTROLLED_TEST yard task on the active US-WA policy,
// inserted directly in PROOF_SUBMITTED with no worker (contract §8.5), so the
// identity and accept gates of a real schema are not involved.
const probeSetup = `
CREATE TEMP TABLE lc_fx ON COMMIT DROP AS
  SELECT gen_random_uuid() poster, gen_random_uuid() worker, gen_random_uuid() task,
         gen_random_uuid() escrow, gen_random_uuid() proof;
INSERT INTO users(id,email,full_name,default_mode) SELECT poster, poster||'@launchcheck.invalid','launchcheck probe poster','poster' FROM lc_fx;
INSERT INTO users(id,email,full_name,default_mode) SELECT worker, worker||'@launchcheck.invalid','launchcheck probe worker','worker' FROM lc_fx;
WITH p AS (SELECT * FROM region_policies WHERE region_code='US-WA' AND policy_state='ACTIVE' ORDER BY effective_from DESC LIMIT 1),
     c AS (SELECT p.*, p.policy_document->'categories'->'yard' cat FROM p)
INSERT INTO tasks(id,poster_id,worker_id,state,accepted_at,title,description,price,category,risk_level,
  requires_proof,automation_classification,hustler_payout_cents,platform_margin_cents,region_code,
  region_policy_id,region_policy_version,region_policy_hash,region_policy_snapshot,trade_type,location_state,
  license_required,insurance_required,background_check_required,proof_min_photos,proof_max_photos,
  proof_gps_required,currency)
SELECT lc_fx.task, lc_fx.poster, NULL::uuid, 'PROOF_SUBMITTED', now(), 'launchcheck probe task', 'launchcheck invariant probe, always rolled back',
  5000, 'yard', 'LOW', true, 'CONTROLLED_TEST', 4000, 1000, c.region_code, c.id, c.version, c.policy_hash,
  jsonb_build_object(
    'policyId', c.id::text, 'policyVersion', c.version, 'policyHash', c.policy_hash,
    'regionCode', c.region_code, 'locationState', split_part(c.region_code,'-',2),
    'licenseRequired', (c.cat#>>'{credentials,licenseRequired}')::boolean,
    'insuranceRequired', (c.cat#>>'{credentials,insuranceRequired}')::boolean,
    'backgroundCheckRequired', (c.cat#>>'{credentials,backgroundCheckRequired}')::boolean,
    'proofRequired', (c.cat#>>'{evidence,proofRequired}')::boolean,
    'proofMinPhotos', (c.cat#>>'{evidence,minPhotos}')::int,
    'proofMaxPhotos', (c.cat#>>'{evidence,maxPhotos}')::int,
    'proofGpsRequired', (c.cat#>>'{evidence,gpsRequired}')::boolean,
    'recordingAllowed', (c.policy_document#>>'{recording,allowed}')::boolean,
    'recordingStandaloneConsentRequired', (c.policy_document#>>'{recording,standaloneConsentRequired}')::boolean,
    'screeningStandaloneConsentRequired', (c.policy_document#>>'{workerRights,standaloneScreeningConsentRequired}')::boolean,
    'screeningReportAccessRequired', (c.policy_document#>>'{workerRights,reportAccessRequired}')::boolean,
    'screeningDisputeAndAppealRequired', (c.policy_document#>>'{workerRights,disputeAndAppealRequired}')::boolean,
    'screeningAdverseActionNoticeRequired', (c.policy_document#>>'{workerRights,adverseActionNoticeRequired}')::boolean,
    'safetyIncidentIntakeRequired', (c.policy_document#>>'{safety,incidentIntakeRequired}')::boolean,
    'safetyTimedCheckinRequired', (c.policy_document#>'{safety,timedCheckinRiskLevels}') ? 'LOW',
    'safetyCheckinIntervalsMinutes', c.policy_document#>'{safety,checkinIntervalsMinutes}',
    'safetyLocationRetentionDays', (c.policy_document#>>'{safety,locationRetentionDays}')::int,
    'safetyAlternateEmergencyActionRequired', (c.policy_document#>>'{safety,alternateEmergencyActionRequired}')::boolean,
    'currency', c.policy_document#>>'{financial,currency}'),
  'yard', split_part(c.region_code,'-',2), (c.cat#>>'{credentials,licenseRequired}')::boolean, (c.cat#>>'{credentials,insuranceRequired}')::boolean,
  (c.cat#>>'{credentials,backgroundCheckRequired}')::boolean, (c.cat#>>'{evidence,minPhotos}')::int,
  (c.cat#>>'{evidence,maxPhotos}')::int, (c.cat#>>'{evidence,gpsRequired}')::boolean,
  c.policy_document#>>'{financial,currency}'
FROM lc_fx, c;
INSERT INTO escrows(id,task_id,amount) SELECT escrow, task, 5000 FROM lc_fx;
UPDATE escrows SET state='FUNDED', stripe_payment_intent_id='pi_launchcheck_'||replace(id::text,'-',''), funded_at=now() WHERE id=(SELECT escrow FROM lc_fx);
INSERT INTO proofs(id,task_id,submitter_id,state,submitted_at) SELECT proof, task, worker, 'SUBMITTED', now() FROM lc_fx;`

const (
	probeXP = `INSERT INTO xp_ledger(user_id,task_id,escrow_id,base_xp,effective_xp,user_xp_before,user_xp_after,
  user_level_before,user_level_after,user_streak_at_award) SELECT worker,task,escrow,10,10,0,10,1,1,0 FROM lc_fx`
	probeComplete = `UPDATE tasks SET state='COMPLETED', completed_at=now() WHERE id=(SELECT task FROM lc_fx)`
	probeRelease  = `UPDATE escrows SET state='RELEASED', released_at=now(), payout_provider='STRIPE',
  stripe_transfer_id='tr_launchcheck_'||replace(id::text,'-',''), provider_transfer_id='tr_launchcheck_'||replace(id::text,'-',''),
  provider_transfer_status='paid' WHERE id=(SELECT escrow FROM lc_fx)`
	probeAccept     = `UPDATE proofs SET state='ACCEPTED', reviewed_by=(SELECT poster FROM lc_fx), reviewed_at=now() WHERE id=(SELECT proof FROM lc_fx)`
	probeTaskCancel = `UPDATE tasks SET state='CANCELLED' WHERE id=(SELECT task FROM lc_fx)`
	probeEscrowBack = `UPDATE escrows SET state='REFUNDED' WHERE id=(SELECT escrow FROM lc_fx)`
)

// RunTriggerProbes attempts the five violations (contract Appendix A) in one
// transaction that is always rolled back; each negative statement runs in a
// savepoint so the next can follow.
func RunTriggerProbes(ctx context.Context, conn *pgx.Conn) ([]ProbeResult, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, probeSetup); err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	var out []ProbeResult
	negative := func(trigger, violation, want, stmt string) error {
		if _, err := tx.Exec(ctx, "SAVEPOINT lc_probe"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, stmt)
		r := ProbeResult{Trigger: trigger, Violation: violation, Want: want, Got: pg.Code(err), Err: err}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		out = append(out, r)
		_, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT lc_probe")
		return rerr
	}
	positive := func(what, stmt string) error {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("happy path %s: %w", what, err)
		}
		return nil
	}
	steps := []func() error{
		func() error {
			return negative("xp_requires_released_escrow", "XP award for a FUNDED (unreleased) escrow", "HX101", probeXP)
		},
		func() error {
			return negative("task_completed_requires_accepted_proof", "completing a task with no accepted proof", "HX301", probeComplete)
		},
		func() error {
			return negative("escrow_released_requires_completed_task", "releasing an escrow of a PROOF_SUBMITTED task", "HX201", probeRelease)
		},
		func() error { return positive("accept proof", probeAccept) },
		func() error { return positive("complete task", probeComplete) },
		func() error { return positive("release escrow", probeRelease) },
		func() error { return positive("award XP", probeXP) },
		func() error {
			return negative("task_terminal_guard", "moving a COMPLETED task to CANCELLED", "HX001", probeTaskCancel)
		},
		func() error {
			return negative("escrow_terminal_guard", "moving a RELEASED escrow to REFUNDED", "HX002", probeEscrowBack)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return out, err
		}
	}
	return out, nil
}
