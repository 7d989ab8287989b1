-- Up Migration

-- The alarms of each case that are still to come, or were raised: what will be reminded, when and to whom. The
-- workflow derives them from its state (domain/alarms.ts) and its projection writes them here with the case, so
-- they can be read while no worker runs. An alarm that no longer applies (its date moved, its step settled, the case
-- closed) is deleted; one that was raised stays, and its notification (same case and alarm id) says how it fared.
-- A minor's 18th-birthday reminders are stored on their weekly grid: no date here derives from a birth date.
CREATE TABLE case_alarms (
  case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  alarm_id text NOT NULL,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired')),
  step_id text NOT NULL,
  step_kind text NOT NULL,
  -- The alarm's subject: a step kind or a window (cp_validity, minor_turns_18, ...).
  about text NOT NULL,
  recipient_agency_id text NOT NULL,
  PRIMARY KEY (case_id, alarm_id)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON case_alarms TO relief_app;

-- Down Migration

DROP TABLE case_alarms;
