-- Up Migration

-- The nonces of OpenID Connect sign-ins the console started: issued by the API, each consumed by the one session it
-- opens. An ID token whose nonce is not here (issued elsewhere, already used, or too old) opens no session. Only a
-- hash is kept: a row read from the database is no nonce to put in a sign-in.
CREATE TABLE oidc_nonces (
  nonce_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_nonces_expires_idx ON oidc_nonces (expires_at);

-- Down Migration

DROP TABLE oidc_nonces;
