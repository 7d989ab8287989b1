/**
 * A deadline that is a day (counted in days from a typed day: `dueOnADay`) reads in the transfer email as the console
 * reads it, met all of its last day wherever in the US it is read, on real parts (time skipping, PostgreSQL, the SMTP
 * capture): read after its due instant (noon UTC) on that very day, the list of the steps handed over says "due 5 Dec
 * 2026", not "due 5 Dec 2026 (overdue since 04:00 PST on 5 Dec 2026)".
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { stepLabel } from '../../domain/labels';
import type { AgencyKind } from '../../domain/types';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

/** The console and the API on the test server's clock, so a page is read at the hour the test skips to. */
const service = consoleStackPerFile({}, { onTestClock: true });

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const NEW_ICE = { id: 'ice-la', email: 'cp-unit@ice-la.example.gov' };

const zoned = (kind: AgencyKind, timeZone: string) => ({
  ...DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!,
  timeZone,
});

beforeAll(async () => {
  await upsertAgencies(service.stack.pool, [
    zoned('advocate', 'America/New_York'),
    zoned('coordinator', 'America/Chicago'),
    {
      id: NEW_ICE.id,
      kind: 'ice',
      name: 'ICE Los Angeles (fictitious)',
      email: NEW_ICE.email,
      timeZone: 'America/Los_Angeles',
    },
  ]);
});

interface StepBody {
  id: string;
  dueAt: string | null;
  dueOnADay: boolean;
  status: string;
}
interface CaseBody {
  caseId: string;
  reference: string;
  steps: StepBody[];
}

async function send(as: AgencyKind, path: string, body: object): Promise<CaseBody> {
  const response = await request(service.app)
    .post(path)
    .set(service.stack.as(as))
    .set('Idempotency-Key', randomUUID())
    .send(body)
    .expect((res) => expect([200, 201]).toContain(res.status));
  return response.body as CaseBody;
}

async function stepOf(caseId: string, stepId: string): Promise<StepBody | undefined> {
  const response = await request(service.app)
    .get(`/api/cases/${caseId}`)
    .set(service.stack.as('coordinator'))
    .expect(200);
  return (response.body as CaseBody).steps.find((step) => step.id === stepId);
}

/**
 * Skips to 13:00 UTC of the next day (D): an hour past noon UTC, the due instant of a deadline that is D, while D is
 * still on in every US zone. Answers D and a day `offset` days from it.
 */
async function onDayD() {
  const now = await service.stack.env.currentTimeMs();
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  await service.stack.env.sleep(dayStart + 13 * HOUR_MS - now);
  const day = (offset: number) => new Date(dayStart + offset * DAY_MS).toISOString().slice(0, 10);
  return { d: day(0), day, dayStart };
}

/** A case opened with its dates typed, `identifiedOn` that day. */
const openCase = (identifiedOn: string) =>
  send('law_enforcement', '/api/cases', {
    identifiedOn,
    survivor: { name: 'Test Survivor (fictitious)', birthDate: '1987-02-03' },
    agencies: DEMO_AGENCIES,
    confirmNotDuplicate: true,
  });

/** The emails of the case to an address whose subject begins with `said`. */
const emailsTo = (address: string, reference: string, said: string) =>
  service.stack.mail
    .messages()
    .filter((m) => m.subject.startsWith(said) && m.subject.includes(reference) && m.to.join(',').includes(address));

/** Waits for the first such email, and answers it. */
const awaitEmail = (address: string, reference: string, said: string) =>
  eventually(async () => emailsTo(address, reference, said)[0], `"${said}" to ${address}`);

test("a transfer's email lists a step handed over due on D as due D, not overdue since its noon UTC, on D", async () => {
  const { d, day } = await onDayD();
  const { caseId, reference } = await openCase(day(-31));
  await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
    outcome: 'requested',
    details: { requestedOn: day(-30) },
  });
  expect(await stepOf(caseId, 'cp_decision-1')).toMatchObject({ dueAt: `${d}T12:00:00.000Z`, dueOnADay: true });

  // D, 13:00 UTC: 05:00 in Los Angeles, an hour after the CP decision's due instant.
  await send('coordinator', `/api/cases/${caseId}/transfers`, {
    agencyKind: 'ice',
    toAgencyId: NEW_ICE.id,
    reason: 'moved_jurisdiction',
  });
  const told = await awaitEmail(NEW_ICE.email, reference, `Case ${reference} was transferred to your agency`);
  expect(told.text.split('\n')).toContain(`- ${stepLabel('cp_decision')}, due ${formatCalendarDay(d)}`);
  expect(told.text).not.toContain('overdue');
});
