-- Up Migration

-- The password checks of a count still running, apart from its failures (db/sign-in-failures.ts). Each check was
-- counted as a failure before its (slow) password check so that guesses sent at once could not all be tried, and a
-- right password's count was undone only once it was judged: twelve right sign-ins at once locked the account for the
-- last of them (account_locked). Now a check is counted as running, and as a failure only once judged wrong; checks
-- beyond the free failures wait for those running. A row may so hold running checks and no failure yet.
ALTER TABLE sign_in_failures
  ADD COLUMN checking integer NOT NULL DEFAULT 0 CHECK (checking >= 0),
  ADD COLUMN checking_since timestamptz,
  DROP CONSTRAINT sign_in_failures_failures_check,
  ADD CONSTRAINT sign_in_failures_failures_check CHECK (failures >= 0);

-- Down Migration

DELETE FROM sign_in_failures WHERE failures = 0;
ALTER TABLE sign_in_failures
  DROP CONSTRAINT sign_in_failures_failures_check,
  ADD CONSTRAINT sign_in_failures_failures_check CHECK (failures > 0),
  DROP COLUMN checking_since,
  DROP COLUMN checking;
