/**
 * A request for evidence or a notice of intent to deny on a T-visa decision reads in the timeline as what came and by
 * when it is answered, on the day it was issued as typed (never at the noon UTC the workflow keeps a past day as), and
 * one entered after that day says it was recorded after the fact, as late sign-offs do. The day is the API's
 * (app/timeline-days.ts), worked out on the whole case.
 */
import { wordsFor } from '../../../web/labels';
import { timelineOf } from '../../../web/timeline';
import { withDays } from '../../support/timeline-days';

describe('timeline-notices', () => {
  const words = wordsFor('America/Chicago', new Date('2026-12-06T18:00:00.000Z'), []);
  const asRead = (line: { when: string; sentence: string }) =>
    `${line.when} | ${line.sentence.replace(/[\u2068\u2069]/gu, '')}`;

  const decision = {
    id: 't_visa_decision-1',
    kind: 't_visa_decision',
    agencyId: 'demo-advocates',
    agencyKind: 'advocate',
    details: {},
  };
  const response = (id: string, notice: string, issuedOn: string, respondBy: string) => ({
    id,
    kind: 't_visa_evidence_response',
    agencyId: 'demo-advocates',
    agencyKind: 'advocate',
    details: { notice, issuedOn, respondBy },
  });
  const entry = (seq: number, at: string, type: string, stepId: string, summary: string) => ({
    seq,
    at,
    type,
    stepId,
    actorAgencyId: 'demo-advocates',
    summary,
  });

  test('an RFE entered after the day it was issued: its kind, its answer-by day, the day typed, recorded late', () => {
    const at = '2026-12-01T12:00:00.000Z'; // 06:00 in Chicago: no hour anyone entered
    const steps = [decision, response('t_visa_evidence_response-1', 'rfe', '2026-12-01', '2026-12-13')];
    const entries = [
      entry(7, at, 'notice.received', decision.id, 'rfe received, respond by 2026-12-13'),
      entry(8, at, 'step.opened', 't_visa_evidence_response-1', 't_visa_evidence_response-1 opened'),
    ];
    const lines = timelineOf(withDays(entries, steps), steps, words).map(asRead);
    expect(lines).toContain(
      '1 Dec 2026 | Request for evidence received, answer by 13 Dec 2026. Recorded after the fact.',
    );
    expect(lines.every((line) => line.startsWith('1 Dec 2026 |'))).toBe(true);
  });

  test('a NOID recorded on the day it was issued reads as that day, not late', () => {
    const at = '2026-12-06T17:31:00.000Z';
    const steps = [decision, response('t_visa_evidence_response-2', 'noid', '2026-12-06', '2027-01-05')];
    const entries = [entry(9, at, 'notice.received', decision.id, 'noid received, respond by 2027-01-05')];
    const lines = timelineOf(withDays(entries, steps), steps, words).map(asRead);
    expect(lines).toEqual(['6 Dec 2026 | Notice of intent to deny received, answer by 5 Jan 2027.']);
  });
});
