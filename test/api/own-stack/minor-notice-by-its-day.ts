/**
 * A minor's 24-hour HHS notice entered later by its day is judged by its day where the police work, the same in Guam
 * and in Honolulu: identified at 20:00 local on 10 Dec 2025 and notified on 11 Dec, both were notified in time
 * (domain/alarms.ts `minorNoticeInTimeByItsDay`, MINOR_NOTICE_BY_ITS_DAY_PATCH). Before, the notice's instant (noon UTC
 * of its day) was compared with the deadline: 22:00 in Guam, after its 20:00, and 02:00 in Honolulu, so the compliance
 * report counted one of two in time and the Guam case's notice of what passed and its timeline listed its "Deadline
 * reached" (probe Q4, 6 Dec 2026). Over HTTP on real parts: the report's SQL (db/reports.ts), the workflow's notice
 * (`stillToTell`) and the console's timeline (web/timeline.ts) on the same two cases.
 */
import request from 'supertest';
import { listNotifications } from '../../../db/notifications';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../../db/seed';
import type { ComplianceReport } from '../../../app/reports-service';
import { wordsFor } from '../../../web/labels';
import type { CaseView } from '../../../web/kit';
import { timelineOf } from '../../../web/timeline';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('minor-notice-by-its-day', () => {
  const HOUR_MS = 3_600_000;
  const POLICE = DEMO_AGENCIES.law_enforcement;
  const ZONES = ['Pacific/Guam', 'Pacific/Honolulu'] as const;
  const NOTICE = 'HHS notification of a minor';

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let keys = 0;
  const key = () => `minor-notice-by-its-day-${(keys += 1)}`;

  /** The police agency moved to `timeZone`: a case it opens next is identified in that zone (`cases.identified_in`). */
  async function policeIn(timeZone: string): Promise<void> {
    await request(stack.app)
      .post('/api/agencies')
      .set(stack.users['demo-system-admin']!.headers)
      .send({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === POLICE)!, timeZone })
      .expect(201);
  }

  /** A minor identified at 20:00 on 10 Dec 2025 where the police work, entered now, notified to HHS on 11 Dec. */
  async function minorNotifiedNextDay(timeZone: string): Promise<string> {
    await policeIn(timeZone);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedAt: '2025-12-10T20:00',
        survivor: { name: `Notice Person ${timeZone} (fictitious)`, birthDate: '2010-03-03' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      });
    expect([opened.status, opened.body]).toEqual([201, expect.anything()]);
    const { caseId } = opened.body as { caseId: string };
    const signed = await request(stack.app)
      .post(`/api/cases/${caseId}/steps/hhs_minor_notification-1/sign-off`)
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'notified', details: { notifiedOn: '2025-12-11' } });
    expect([signed.status, signed.body]).toEqual([200, expect.anything()]);
    return caseId;
  }

  test('a notice dated the day after an evening identification is in time in Guam as in Honolulu', async () => {
    const [guam, honolulu] = [await minorNotifiedNextDay(ZONES[0]), await minorNotifiedNextDay(ZONES[1])];

    // The compliance report: both notified within their 24 hours.
    const report = await request(stack.app)
      .get('/api/reports/compliance')
      .query({ from: '2025-12-10', to: '2025-12-10' })
      .set(stack.users['demo-coordinator']!.headers);
    expect([report.status, report.body]).toEqual([200, expect.anything()]);
    expect((report.body as ComplianceReport).allAgencies.minorsNotifiedWithin24h).toEqual({
      count: 2,
      of: 2,
      share: 1,
    });

    // The notices of what passed, once each entry session is over: neither lists the HHS notice's deadline.
    await stack.env.sleep(HOUR_MS);
    const notices = async (caseId: string) =>
      eventually(async () => {
        const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
        return items.length > 0 && items.every((n) => !n.recipientEmail || n.sentAt) ? items : undefined;
      }, 'the notice of what passed, sent');
    for (const caseId of [guam, honolulu]) {
      const told = (await notices(caseId)).map((n) => ({
        to: n.recipientAgencyId,
        lists: n.bodyText.includes(NOTICE),
      }));
      expect(told.filter((notice) => notice.to === POLICE || notice.to === DEMO_AGENCIES.coordinator)).toEqual([
        expect.objectContaining({ lists: false }),
        expect.objectContaining({ lists: false }),
      ]);
    }

    // The case page's timeline: no alarm of the HHS notice left standing, in either case.
    const words = wordsFor('UTC', new Date(await stack.env.currentTimeMs()), []);
    for (const caseId of [guam, honolulu]) {
      const view = (await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200))
        .body as CaseView;
      const lines = timelineOf(view.timeline, view.steps, words, view.agencies).map((line) => line.sentence);
      expect(
        lines.filter((line) => line.includes(NOTICE) && line.includes('due before the case was brought up to date')),
      ).toEqual([]);
    }
  }, 120_000);
});
