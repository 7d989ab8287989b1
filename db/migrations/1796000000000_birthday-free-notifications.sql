-- Up Migration

-- No notification carries a date derived from a birth date (issue 13): a minor's 18th-birthday reminder has no
-- due date, and its alarm id names a week of the case, not the date (domain/tracks/intake.ts).
ALTER TABLE notifications ALTER COLUMN due_at DROP NOT NULL;

-- Rows written before that: drop the date from what every reader of the outbox sees. The text of an email not yet
-- sent is what will be sent, so it is rewritten too; the words follow mail/render.ts.
UPDATE notifications
   SET due_at = NULL,
       subject = 'Urgent: notify HHS before the minor turns 18 (case ' || reference || ')',
       body_text = regexp_replace(
         regexp_replace(body_text, E'\nDate: [^\n]*', ''),
         E'What "([^"]*)" granted stops being valid on [^\n]*',
         E'The minor in this case turns 18 soon, and the request for HHS assistance ("\\1") must be made before then. '
           'The date is on the case page for those who may read the survivor''s identity.')
 WHERE kind = 'expiry_reminder' AND alarm_id LIKE '%:expiry_reminder:minor_turns_18:%';

-- Their ids carry the date too. A row whose email is still owed keeps its id: its delivery workflow finds it by it.
UPDATE notifications
   SET alarm_id = regexp_replace(alarm_id, ':minor_turns_18:\d{4}-\d{2}-\d{2}T[0-9:.]+Z', ':minor_turns_18:legacy-' || gen_random_uuid())
 WHERE alarm_id ~ ':minor_turns_18:\d{4}-\d{2}-\d{2}T'
   AND (sent_at IS NOT NULL OR recipient_email IS NULL);

-- Down Migration

-- The dates are gone for good; a row without one takes its creation time, the most the old schema can hold.
UPDATE notifications SET due_at = created_at WHERE due_at IS NULL;
ALTER TABLE notifications ALTER COLUMN due_at SET NOT NULL;
