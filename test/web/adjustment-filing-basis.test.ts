/**
 * An adjustment of status (Form I-485) filed before the survivor may adjust (the step's `adjustmentEligibleFrom`,
 * after 3 years of T status) rests on the investigation or prosecution being complete, and says the day it was
 * (`investigationCompleteDate`): one without it is refused naming `details.filedOn`, where it was accepted and the
 * case page read "filed 5 Dec 2026, may adjust status from 4 Dec 2029". One filed from that day needs no basis. The
 * advocate's form asks for the day and shows the refusal by its field; the case page says the filing was early and on
 * what it rests. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, addMonths } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase, textOf } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();

interface Problem {
  code: string;
  errors?: { field: string; message: string }[];
}
const today = () => new Date().toISOString().slice(0, 10);
const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-advocate')}`;

const signOff = (caseId: string, stepId: string, outcome: string, details: object, key = `${stepId}-${outcome}`) =>
  request(service.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(service.stack.as('advocate'))
    .set('Idempotency-Key', `basis-${caseId}-${key}`)
    .send({ outcome, details });

/** A case whose T visa was approved today, the survivor allowed to adjust from `adjustmentEligibleFrom`, if given. */
async function approvedToday(key: string, adjustmentEligibleFrom?: string): Promise<string> {
  const on = today();
  const { caseId } = await openDemoCase(service, `adjustment-basis-${key}`, {
    identifiedOn: on,
    name: `Basis ${key} (fictitious)`,
  });
  await signOff(caseId, 't_visa_filing-1', 'filed', { filedOn: on }).expect(200);
  await signOff(caseId, 't_visa_receipt-1', 'received', { receivedOn: on }).expect(200);
  await signOff(caseId, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on }).expect(200);
  const validUntil = addDays(addMonths(on, 48), -1);
  await signOff(caseId, 't_visa_decision-1', 'approved', {
    approvedOn: on,
    validUntil,
    ...(adjustmentEligibleFrom ? { adjustmentEligibleFrom } : {}),
  }).expect(200);
  return caseId;
}

test('the API refuses an early filing without its basis, naming filedOn, and accepts it with the day', async () => {
  const on = today();
  const eligibleFrom = addMonths(on, 36);
  const caseId = await approvedToday('early');
  const refused = await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', { filedOn: on }, 'no-basis');
  const { code, errors } = refused.body as Problem;
  expect([refused.status, code, errors]).toEqual([
    422,
    'date_order',
    [
      {
        field: 'details.filedOn',
        message: `filedOn must be on or after ${eligibleFrom}, when the survivor may adjust status: an earlier filing is possible only once the investigation or prosecution is complete: give investigationCompleteDate`,
      },
    ],
  ]);
  const tomorrow = addDays(on, 1);
  const future = await signOff(
    caseId,
    't_visa_adjustment_filing-1',
    'filed',
    { filedOn: on, investigationCompleteDate: tomorrow },
    'future-basis',
  );
  expect([future.status, (future.body as Problem).errors?.[0]?.field]).toEqual([
    422,
    'details.investigationCompleteDate',
  ]);

  // Complete before the case was even identified: no event of this case, and no reason to refuse it.
  const completeOn = addDays(on, -40);
  await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', {
    filedOn: on,
    investigationCompleteDate: completeOn,
  }).expect(200);
  const casePage = textOf(
    (await request(service.app).get(`/cases/${caseId}`).set('Cookie', session()).expect(200)).text,
  );
  expect(casePage).toContain(
    `filed ${formatCalendarDay(on)}, early: the investigation was complete on ${formatCalendarDay(completeOn)}`,
  );
  expect(casePage).not.toContain(`may adjust status from ${formatCalendarDay(eligibleFrom)}`);
});

test('a filing on the day the survivor may adjust needs no basis', async () => {
  const on = today();
  const caseId = await approvedToday('on-the-day', on);
  await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', { filedOn: on }).expect(200);
});

test("the advocate's form asks for the day the investigation was complete and shows each refusal by its field", async () => {
  const on = today();
  const caseId = await approvedToday('form');
  const path = `/cases/${caseId}/steps/t_visa_adjustment_filing-1`;
  const shown = await request(service.app).get(`${path}?outcome=filed`).set('Cookie', session()).expect(200);
  expect(textOf(shown.text)).toContain(
    'Day the investigation or prosecution was complete (optional) Only for a filing before the day the survivor may adjust status, said above.',
  );
  expect(shown.text).toContain('name="details.investigationCompleteDate"');
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(shown.text)![1]!;
  const send = (fields: Record<string, string>) =>
    request(service.app)
      .post(path)
      .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ _csrf: hidden('_csrf'), idempotencyKey: hidden('idempotencyKey'), outcome: 'filed', ...fields });

  const early = await send({ 'details.filedOn': on });
  expect([early.status, textOf(early.text)]).toEqual([
    422,
    expect.stringContaining(
      `The date it was filed must be on or after ${formatCalendarDay(addMonths(on, 36))}, when the survivor may adjust status`,
    ),
  ]);
  expect(early.text).toContain('id="details-filedOn-error"');
  // The other field the rule asks for is named by its words, never its code.
  expect(textOf(early.text)).toContain('is complete: give the day the investigation or prosecution was complete');
  expect(textOf(early.text)).not.toContain('investigationCompleteDate');

  const late = await send({ 'details.filedOn': on, 'details.investigationCompleteDate': addDays(on, 1) });
  expect([late.status, textOf(late.text)]).toEqual([
    422,
    expect.stringContaining('The date must be on or before today'),
  ]);
  expect(late.text).toContain('id="details-investigationCompleteDate-error"');
});
