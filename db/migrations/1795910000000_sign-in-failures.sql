-- Up Migration

-- Failed password checks per account, shared by every API process so that guesses spread over processes and client
-- addresses still count against the one account (api/routes/access.ts, db/sign-in-failures.ts). Keyed by a SHA-256 of
-- the username as typed, whether or not such a user exists: the answer must not tell which usernames do, and what is
-- typed as a username is sometimes a password, never to be stored as it is. A row is deleted on a success and
-- forgotten a day after its last failure.
CREATE TABLE sign_in_failures (
  account_key bytea PRIMARY KEY,
  failures integer NOT NULL CHECK (failures > 0),
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
CREATE INDEX sign_in_failures_last_failure_idx ON sign_in_failures (last_failure_at);

-- Down Migration

DROP TABLE sign_in_failures;
