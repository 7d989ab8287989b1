-- Up Migration

-- A step that opens for an agency on another agency's command (a CP request reaching ICE, a certification request
-- reaching HHS) is told to that agency by email, gathered (domain/opened-steps.ts says which steps): the command's
-- projection records one row per step to tell in the same statement that writes the case (db/read-model.ts
-- `projectCase`), keyed by the case, the step and the timeline entry that opened it, so a retried request or a
-- projection run again records nothing more. Every few minutes one workflow (workflows/opened-step-notices.ts)
-- gathers those not yet told into one email per agency (an outbox row of kind step_opened), and marks each with the
-- outbox row it went into (`notification_id`) in the same transaction, or with none when the step was done or moved
-- meanwhile (`gathered_at` alone). New tables get the service role's grants by the default privileges.
CREATE TABLE opened_step_notices (
  case_id uuid NOT NULL,
  step_id text NOT NULL,
  opened_seq integer NOT NULL,
  -- The agency the step waited on as it opened: told only while it still does.
  agency_id text NOT NULL,
  -- Who acted (a user's id, their agency), and the step signed when the recipient may know of it.
  actor_user_id text NOT NULL,
  actor_agency_id text NOT NULL,
  opened_by_kind text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  gathered_at timestamptz,
  notification_id text,
  PRIMARY KEY (case_id, step_id, opened_seq)
);
CREATE INDEX opened_step_notices_untold_idx ON opened_step_notices (recorded_at) WHERE gathered_at IS NULL;

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened',
                  'reference_replaced', 'step_opened'));

-- Down Migration

DROP TABLE opened_step_notices;
DELETE FROM notifications WHERE kind = 'step_opened';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened',
                  'reference_replaced'));
