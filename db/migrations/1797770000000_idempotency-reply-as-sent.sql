-- Up Migration

-- A retried request is answered with the very bytes of the first answer: json keeps the text as it was stored, keys
-- in their order, where jsonb reordered them (a client comparing or hashing the two answers saw them differ).
-- Answers stored before this keep jsonb's order.
ALTER TABLE idempotency_keys ALTER COLUMN response TYPE json USING response::json;

-- Down Migration

ALTER TABLE idempotency_keys ALTER COLUMN response TYPE jsonb USING response::jsonb;
