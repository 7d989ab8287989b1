-- Up Migration

-- Where an agency's clocks are (issue 14): a date or time of identification without an offset is read in the
-- identifying agency's zone. NULL means the deployment's TIMEZONE. An IANA name, checked by the API against Node's
-- zone database (PostgreSQL's may be of another release). relief_app's table-wide grants on agencies cover the new
-- column; nothing to grant.
ALTER TABLE agencies ADD COLUMN time_zone text;

-- Down Migration

ALTER TABLE agencies DROP COLUMN time_zone;
