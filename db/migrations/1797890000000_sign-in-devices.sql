-- Up Migration

-- The browsers and clients that signed in to a user's account with its password (db/sign-in-devices.ts, OWASP's
-- "device cookies"): a sign-in that presents one is judged by that device's own wrong passwords, counted in
-- sign_in_failures under its device_key, and not by the account's lockout, which anyone who knows the username can
-- set off. Keyed by a SHA-256 of the device token (256 random bits, answered once: the console keeps it sealed in
-- a cookie). A row lives until it expires, until its device signs in again and gets a new token, or until its user
-- holds ten newer ones.
CREATE TABLE sign_in_devices (
  device_key bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_devices_user_idx ON sign_in_devices (user_id, created_at);
CREATE INDEX sign_in_devices_expiry_idx ON sign_in_devices (expires_at);

-- Down Migration

DROP TABLE sign_in_devices;
