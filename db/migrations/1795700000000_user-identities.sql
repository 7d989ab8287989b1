-- Up Migration

-- Who a user is at their agency's OpenID Connect identity provider: the (issuer, subject) pair of the ID tokens it
-- issues. An admin links each pair to one user; signing in with an unlinked pair is refused, never a new account.
CREATE TABLE user_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Down Migration

DROP TABLE user_identities;
