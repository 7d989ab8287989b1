/**
 * An end an "Expiring" email named, moved by a correction, on real parts (time skipping, PostgreSQL, the SMTP
 * capture): ICE types a CP grant more than a year early, so its end falls inside every lead and the police are
 * emailed its reminder at once; corrected back, the police get one "Corrected" email naming the end as corrected and the day
 * the earlier email named, and nothing more; transferred, then corrected to a denial, the police that got the reminder
 * are told it is denied, with no link to a case they can no longer open but the agency that holds it now, and the new
 * police nothing; corrected to a denial and then back to a grant, the police are told it is granted again, the denial
 * they were told of no longer holding.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { formatCalendarDay } from '../../../core/people-dates';
import { lastValidDay } from '../../../domain/dates';
import { upsertAgencies } from '../../../db/agencies';
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import { eventually, startStack, type Stack } from '../../support/stack';
import { withoutRandomParts } from '../../support/scan';

describe('corrected-end', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  interface CaseBody {
    caseId: string;
    reference: string;
    steps: { id: string; expiresAt: string | null }[];
  }

  const DAY_MS = 86_400_000;
  const headersOf = (user: string) => stack.users[user]!.headers;
  const policeEmail = DEMO_AGENCY_LIST.find((agency) => agency.kind === 'law_enforcement')!.email!;
  const NEW_POLICE = { id: 'new-police', email: 'unit@new-police.example.gov' };

  async function send(user: string, path: string, body: object): Promise<CaseBody> {
    const response = await request(stack.app)
      .post(path)
      .set(headersOf(user))
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect((res) => expect([200, 201]).toContain(res.status));
    return response.body as CaseBody;
  }

  /** The grant's end, as the reminder emails name it ("valid until 19 Jan 2027"). */
  const endWords = (view: CaseBody) =>
    formatCalendarDay(lastValidDay(view.steps.find((step) => step.id === 'cp_decision-1')!.expiresAt!));

  /**
   * A case whose CP grant ICE typed 720 days early: its end is ten days off, every lead behind, so its reminder goes out
   * to the police ("Reminder: Continued Presence renewal request due …", the renewal being still owed), naming the wrong
   * end. The case is in the entry session that brought it in, so the reminder waits for the session's end, 30 minutes
   * after the last entry.
   */
  async function announcedWrong() {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const opened = await send('demo-police-officer', '/api/cases', {
      identifiedOn: day(800),
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1986-04-02' },
      agencies: Object.fromEntries(DEMO_AGENCY_LIST.map((agency) => [agency.kind, agency.id])),
      confirmNotDuplicate: true,
    });
    const { caseId, reference } = opened;
    const steps = `/api/cases/${caseId}/steps`;
    await send('demo-police-officer', `${steps}/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(799) },
    });
    // Granted 300 days ago: two years from then, every lead still ahead.
    const granted = await send('demo-ice-officer', `${steps}/cp_decision-1/sign-off`, {
      outcome: 'granted',
      details: { grantedOn: day(300) },
    });
    // Corrected by the coordinator: ICE may not correct a grant, which opens steps it is not told of (probe Q1).
    const correctGrant = (outcome: string, details: object) =>
      send('demo-coordinator', `${steps}/cp_decision-1/corrections`, {
        outcome,
        details,
        reason: 'Typed the wrong year',
      });
    const to = (email: string) => () =>
      stack.mail.messages().filter((m) => m.subject.includes(reference) && m.to.join(',').includes(email));
    const toPolice = to(policeEmail);

    const wrong = await correctGrant('granted', { grantedOn: day(720) });
    await stack.env.sleep(31 * 60_000);
    const [reminder] = await eventually(async () => {
      const found = toPolice();
      return found.length > 0 ? found : undefined;
    }, 'the reminder of the wrong end');
    expect(reminder!.text).toContain(`valid until ${endWords(wrong)}`);
    return { caseId, reference, day, granted, wrong, reminder: reminder!, correctGrant, to, toPolice };
  }

  test('a grant corrected inside every lead, then back: one "Corrected" email to the police with the right end', async () => {
    const { reference, day, granted, wrong, reminder, correctGrant, toPolice } = await announcedWrong();
    const back = await correctGrant('granted', { grantedOn: day(300) });
    expect(endWords(back)).toBe(endWords(granted));
    const corrected = await eventually(
      async () => toPolice().find((m) => m.subject.startsWith('Corrected:')),
      'the "Corrected" email',
    );
    expect(corrected.subject).toBe(
      `Corrected: Continued Presence decision valid until ${endWords(back)} (case ${reference})`,
    );
    expect(corrected.text).toContain(`now valid until ${endWords(back)}`);
    expect(corrected.text).toContain(`The date of ${endWords(wrong)} in our earlier email was wrong.`);

    // Once: a day on, the police have had those two emails about the grant's end, and no other. (The entry's notice of
    // what passed, of deadlines long behind a grant entered late, is another matter.)
    await stack.env.sleep(DAY_MS);
    const aboutTheEnd = toPolice().filter((m) => !m.subject.startsWith('Brought up to date'));
    expect(aboutTheEnd.map((m) => m.subject)).toEqual([reminder.subject, corrected.subject]);
  });

  test('the police transferred, then the grant corrected to a denial: the former police are told, with no link', async () => {
    const { caseId, reference, wrong, correctGrant, to, toPolice } = await announcedWrong();
    await upsertAgencies(stack.pool, [
      { id: NEW_POLICE.id, kind: 'law_enforcement', name: 'New City Police (fictitious)', email: NEW_POLICE.email },
    ]);
    await send('demo-coordinator', `/api/cases/${caseId}/transfers`, {
      agencyKind: 'law_enforcement',
      toAgencyId: NEW_POLICE.id,
      reason: 'moved_jurisdiction',
    });
    await correctGrant('denied', { reason: 'insufficient_evidence' });
    const corrected = await eventually(
      async () => toPolice().find((m) => m.subject.startsWith('Corrected:')),
      'the "Corrected" email to the police that got the reminder',
    );
    expect(corrected.subject).toBe(
      `Corrected: Continued Presence decision is now recorded as denied (case ${reference})`,
    );
    expect(corrected.text).toContain(`the validity until ${endWords(wrong)} in our earlier email does not apply`);
    // They can no longer open the case (403): no link, no case page to look at, but who holds the case now.
    expect(corrected.text).toContain(
      'Your agency no longer takes part in this case; New City Police (fictitious) does, and was told.',
    );
    expect(corrected.text).not.toContain('Open the case');
    expect(corrected.text).not.toContain('case page');
    // The new police never got the reminder: nothing corrects it for them.
    expect(to(NEW_POLICE.email)().filter((m) => m.subject.startsWith('Corrected:'))).toEqual([]);
  });

  test('a grant corrected to a denial, then back: the police are told it is granted again, the denial no longer holding', async () => {
    const { reference, day, correctGrant, toPolice } = await announcedWrong();
    await correctGrant('denied', { reason: 'insufficient_evidence' });
    await eventually(
      async () => toPolice().find((m) => m.subject.startsWith('Corrected:') && m.subject.includes('denied')),
      'the "Corrected" email telling the denial',
    );
    const back = await correctGrant('granted', { grantedOn: day(300) });
    const again = await eventually(
      async () => toPolice().find((m) => m.subject.startsWith('Corrected:') && m.subject.includes('again')),
      'the "Corrected" email telling the grant again',
    );
    expect(again.subject).toBe(
      `Corrected: Continued Presence decision granted again, valid until ${endWords(back)} (case ${reference})`,
    );
    expect(again.text).toContain(
      `"Continued Presence decision" is recorded as granted again, valid until ${endWords(back)}: the denial in our ` +
        'earlier email no longer holds.',
    );
    expect(again.text).not.toContain('was wrong');
    // The case by its reference only: nothing of the survivor.
    expect(again.text).toContain(`Case reference: ${reference}`);
    expect(`${again.subject}\n${again.text}`).not.toContain('Test Survivor');
    expect(withoutRandomParts(again.text)).not.toContain('1986');
  });
});
