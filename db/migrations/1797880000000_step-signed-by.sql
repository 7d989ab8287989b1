-- Up Migration

-- Who sent a step's latest sign-off ({"userId", "agencyId"}), as the case's workflow keeps it (domain/types.ts
-- `Step.signedBy`): the read model's signer of a step. Its audit row says the same, but the audit trail is not
-- rebuilt from the workflows: after a restore and `admin reproject`, a step signed since the backup still names its
-- signer from here. Null for steps not signed since it was kept, whose signer is read from the audit trail.
ALTER TABLE case_steps ADD COLUMN signed_by jsonb;

-- Down Migration

ALTER TABLE case_steps DROP COLUMN signed_by;
