/**
 * A sign-off page says what the process needs of its step where the fields cannot (web/step-guidance.ts): the police
 * that the declaration is optional and a decline never holds up the T visa, the attorney that the T visa is filed
 * without waiting for it, that a bona fide determination is a USCIS notice and not the receipt, when an I-485 may be
 * filed and that it must be filed while T status lasts, and the U petition's last day; the police, for a minor, how
 * HHS is notified and that it must be before the 18th birthday. The advocate's case page says the declaration is
 * optional evidence. The whole service on real parts, the console calling the API over HTTP; pages read as text.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, addMonths } from '../../domain/dates';
import { DEMO_AGENCIES } from '../../db/seed';
import type { AgencyKind } from '../../domain/types';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase, textOf } from '../support/console';

const service = consoleStackPerFile();
const today = () => new Date().toISOString().slice(0, 10);

const pageAs = async (username: string, path: string) =>
  textOf(
    (
      await request(service.app)
        .get(path)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
        .expect(200)
    ).text,
  );

const signOff = (caseId: string, as: AgencyKind, stepId: string, outcome: string, details: object) =>
  request(service.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(service.stack.as(as))
    .set('Idempotency-Key', `guidance-${caseId}-${stepId}-${outcome}`)
    .send({ outcome, details })
    .expect(200);

test('the declaration is optional: its page, the T filing page and the advocate’s case page say so', async () => {
  const { caseId } = await openDemoCase(service, 'guidance-declaration', {
    identifiedOn: today(),
    name: 'Guidance Declaration (fictitious)',
  });
  const declaration = await pageAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1?outcome=declined`);
  expect(declaration).toContain(
    "declining it, or not answering, never holds up the survivor's T-visa filing, and other evidence can show their cooperation",
  );
  const filing = await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_filing-1`);
  expect(filing).toContain('is optional evidence: file without waiting for it, whether it is pending, declined');
  const casePage = await pageAs('demo-advocate', `/cases/${caseId}`);
  expect(casePage).toContain(
    'Law-enforcement declaration (Form I-914, Supplement B): not signed yet (optional evidence: the T-visa filing does not wait for it)',
  );
  await signOff(caseId, 'law_enforcement', 'le_declaration-1', 'declined', { reason: 'investigation_closed' });
  expect(await pageAs('demo-advocate', `/cases/${caseId}`)).toContain(
    '(optional evidence: the T-visa filing does not wait for it)',
  );
});

test('a bona fide determination is the notice, not the receipt; an I-485 says from when and until when', async () => {
  const on = today();
  const { caseId } = await openDemoCase(service, 'guidance-t-visa', {
    identifiedOn: on,
    name: 'Guidance T Visa (fictitious)',
  });
  await signOff(caseId, 'advocate', 't_visa_filing-1', 'filed', { filedOn: on });
  await signOff(caseId, 'advocate', 't_visa_receipt-1', 'received', { receivedOn: on });
  expect(await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_bona_fide-1`)).toContain(
    "Record it from USCIS's bona fide determination notice, not from the receipt notice: a filing receipt is no ground for an adult's HHS certification",
  );
  await signOff(caseId, 'advocate', 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on });
  const validUntil = addDays(addMonths(on, 48), -1);
  await signOff(caseId, 'advocate', 't_visa_decision-1', 'approved', { approvedOn: on, validUntil });
  const adjustment = await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_adjustment_filing-1`);
  expect(adjustment).toContain(
    `It may be filed from ${formatCalendarDay(addMonths(on, 36))}, or earlier once the investigation or prosecution is complete: then give the day it was.`,
  );
  expect(adjustment).toContain(
    `It must be filed while T status lasts, on or before ${formatCalendarDay(validUntil)}: a survivor whose T status ends before filing loses this path.`,
  );
});

test("a U petition's page names its last day; a minor's notification page says how and before when", async () => {
  const on = today();
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'guidance-minor-u')
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: on,
      usesUVisa: true,
      survivor: { name: 'Guidance Minor (fictitious)', birthDate: addMonths(on, -12 * 15) },
    })
    .expect(201);
  const caseId = (opened.body as { caseId: string }).caseId;
  expect(await pageAs('demo-police-officer', `/cases/${caseId}/steps/hhs_minor_notification-1`)).toContain(
    'through its online request system (Shepherd), then record it here. The request must be made before the minor turns 18.',
  );
  await signOff(caseId, 'law_enforcement', 'u_visa_certification-1', 'signed', { signedOn: on });
  expect(await pageAs('demo-advocate', `/cases/${caseId}/steps/u_visa_petition-1`)).toContain(
    `File by ${formatCalendarDay(addMonths(on, 6))}, the last day of the certification's window: after it the certification has expired`,
  );
});
