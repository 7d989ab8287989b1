-- Up Migration

-- A claim whose request failed with a 5xx is released, not deleted: that write may still be applied (a 503 after the
-- workflow start or update was sent), so the key stays bound to its request's hash. The same request retried takes
-- it over at once and re-runs (it names the same case and update); another request under the key is refused.
ALTER TABLE idempotency_keys ADD COLUMN released boolean NOT NULL DEFAULT false;

-- Down Migration

DELETE FROM idempotency_keys WHERE released;
ALTER TABLE idempotency_keys DROP COLUMN released;
