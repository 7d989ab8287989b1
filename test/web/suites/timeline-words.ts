/**
 * A correction in the case timeline reads in the sign-off form's words (probe K11): the outcomes as the form names
 * them, each detail by its field's label, a reason by its list's words, dates as days and "none" as "not given".
 */
import { standingOf } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';
import { timelineOf } from '../../../web/timeline';
import { withDays } from '../../support/timeline-days';

describe('timeline-words', () => {
  /** A sentence as its reader sees it: the marks that set names apart (web/isolated.ts) are invisible. */
  const asRead = (line: { sentence: string }) => line.sentence.replace(/[\u2068\u2069]/gu, '');
  const words = wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), []);

  const declaration = {
    id: 'le_declaration-1',
    kind: 'le_declaration',
    agencyId: null,
    agencyKind: 'law_enforcement',
    details: {},
  };

  test('a corrected sign-off names its outcomes, fields and reason in words, never in codes', () => {
    const [line] = timelineOf(
      [
        {
          seq: 1,
          at: '2026-12-04T10:00:00.000Z',
          type: 'step.corrected',
          stepId: declaration.id,
          actorAgencyId: null,
          summary:
            'le_declaration-1 corrected by law_enforcement: outcome signed → declined; signedOn 2026-07-15 → none; ' +
            'reason none → investigation_closed; decidedOn none → 2026-07-15; note replaced (reason kept with the step)',
        },
      ],
      [declaration],
      words,
    );
    expect(line?.sentence).toBe(
      'Law-enforcement declaration (Form I-914, Supplement B): sign-off corrected (outcome signed → declined; ' +
        'signed on 15 Jul 2026 → not given; reason The agency is no longer investigating (was not given); ' +
        'decided on 15 Jul 2026 (was not given); note replaced).',
    );
  });

  test('a refusal for another reason reads "Other", never the form\'s "say why in the note"', () => {
    const denied = {
      id: 'cp_decision-1',
      kind: 'cp_decision',
      track: 'continued_presence',
      agencyId: null,
      agencyKind: 'ice',
      status: 'completed',
      dueAt: null,
      expiresAt: null,
      completedAt: '2026-12-02T10:00:00.000Z',
      outcome: 'denied',
      details: { reason: 'other' },
    };
    const [standing] = standingOf([denied], ['continued_presence'], words);
    expect(standing?.done.map((line) => line.what)).toEqual(['Continued Presence decision: denied (reason: Other)']);
    const [line] = timelineOf(
      [
        {
          seq: 1,
          at: '2026-12-04T10:00:00.000Z',
          type: 'step.corrected',
          stepId: denied.id,
          actorAgencyId: null,
          summary:
            'cp_decision-1 corrected by ice: outcome denied → granted; reason other → none (reason kept with the step)',
        },
      ],
      [denied],
      words,
    );
    expect(line?.sentence).toBe(
      'Continued Presence decision: sign-off corrected (outcome denied → granted; reason Other → not given).',
    );
  });

  test('a decline entered after the fact reads as the day typed, with no hour no one entered, in any zone', () => {
    const declined = {
      id: 'u_visa_certification-1',
      kind: 'u_visa_certification',
      agencyId: null,
      agencyKind: 'law_enforcement',
      details: { decidedOn: '2026-12-02', reason: 'not_our_investigation' },
    };
    for (const zone of ['America/Chicago', 'America/New_York', 'UTC']) {
      const [line] = timelineOf(
        withDays(
          [
            {
              seq: 1,
              // The workflow keeps a day typed as noon UTC of it: 06:00 in Chicago, an hour the officer never entered.
              at: '2026-12-02T12:00:00.000Z',
              type: 'step.declined',
              stepId: declined.id,
              actorAgencyId: null,
              summary:
                'u_visa_certification-1 declined by law_enforcement (happened on 2026-12-02, recorded on 2026-12-04)',
            },
          ],
          [declined],
        ),
        [declined],
        wordsFor(zone, new Date('2026-12-04T12:00:00.000Z'), []),
      );
      expect(line?.when).toBe('2 Dec 2026');
    }
  });

  /** A CP grant valid until 15 Jan 2027: the window a reminder is about. */
  const grant = {
    id: 'cp_decision-1',
    kind: 'cp_decision',
    agencyId: null,
    agencyKind: 'ice',
    details: {},
    expiresAt: '2027-01-16T00:00:00.000Z',
  };

  const passed = (stepId: string, summary: string) => ({
    seq: 1,
    at: '2026-12-04T10:00:00.000Z',
    type: 'alarm.passed',
    stepId,
    actorAgencyId: null,
    summary: `${summary} fell before it was recorded: not sent, listed in one notice to the coordinator unless the step was done in time`,
  });

  test("a passed reminder of a window's end says what ends and when, not the step signed long before", () => {
    const letter = {
      id: 'hhs_certification_letter-1',
      kind: 'hhs_certification_letter',
      agencyId: null,
      agencyKind: 'hhs',
      details: { benefitEndsOn: '2026-02-20' },
    };
    const request = {
      id: 'cp_request-1',
      kind: 'cp_request',
      agencyId: null,
      agencyKind: 'law_enforcement',
      details: {},
    };
    const sentences = timelineOf(
      [
        passed(grant.id, 'expiry_reminder (cp_validity) for cp_decision-1'),
        passed(grant.id, 'expired (cp_validity) for cp_decision-1'),
        passed(letter.id, 'expiry_reminder (benefit_window) for hhs_certification_letter-1'),
        passed(request.id, 'reminder (cp_request) for cp_request-1'),
      ],
      [grant, letter, request],
      words,
    ).map(asRead);
    expect(sentences).toEqual([
      'Continued Presence validity ends 15 Jan 2027: a reminder was due before the case was brought up to date, so it ' +
        'was not sent; one notice to the coordinator lists it.',
      'Continued Presence validity ends 15 Jan 2027: the notice of its end was due before the case was brought up to ' +
        'date, so it was not sent; one notice to the coordinator lists it.',
      'Benefit window ends 20 Feb 2026: a reminder was due before the case was brought up to date, so it was not sent; ' +
        'one notice to the coordinator lists it.',
      // A step's own reminder, listed since the step is not done (a done step's moot ones are left out).
      'Continued Presence request: a reminder was due before the case was brought up to date, so it was not sent; one ' +
        'notice to the coordinator lists it.',
    ]);
  });

  test('a step opened before a transfer is named owed by the agency that owed it then, not the one it moved to', () => {
    const agencies = [
      { id: 'demo-police', name: 'Demo City Police', email: null },
      { id: 'hnl-police', name: 'Honolulu Police', email: null },
    ];
    const named = wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), agencies);
    const step = (id: string, agencyId: string) => ({
      id,
      kind: id.replace(/-\d+$/, ''),
      agencyId,
      agencyKind: 'law_enforcement',
      details: {},
    });
    // Transferred to Honolulu and back: the declaration, pending throughout, moved each time; the CP request, signed
    // before, kept its agency; the U-visa certification, opened while Honolulu held the case, moved back with it.
    const moved = step('le_declaration-1', 'demo-police');
    const signed = step('cp_request-1', 'demo-police');
    const between = step('u_visa_certification-1', 'demo-police');
    const entry = (seq: number, type: string, stepId: string | null, summary = '') => ({
      seq,
      at: `2026-${String(6 + seq).padStart(2, '0')}-01T10:00:00.000Z`,
      type,
      stepId,
      actorAgencyId: null,
      summary,
    });
    const sentences = timelineOf(
      [
        entry(1, 'step.opened', signed.id),
        entry(2, 'step.opened', moved.id),
        entry(3, 'step.completed', signed.id),
        entry(4, 'case.transferred', null, 'law_enforcement transferred from demo-police to hnl-police'),
        entry(5, 'step.opened', between.id),
        entry(6, 'case.transferred', null, 'law_enforcement transferred from hnl-police to demo-police'),
      ],
      [moved, signed, between],
      named,
    )
      .filter((line) => line.sentence.includes('opened'))
      .map(asRead);
    expect(sentences).toEqual([
      'U visa certification (Form I-918, Supplement B) opened, owed by Honolulu Police.',
      'Law-enforcement declaration (Form I-914, Supplement B) opened, owed by Demo City Police.',
      'Continued Presence request opened, owed by Demo City Police.',
    ]);
  });

  test('a step a correction withdrew is named by its kind and its owner, though it has left the case', () => {
    const decision = { id: 'cp_decision-1', kind: 'cp_decision', agencyId: null, agencyKind: 'ice', details: {} };
    const entry = (seq: number, type: string, summary: string) => ({
      seq,
      at: `2026-12-04T1${seq}:00:00.000Z`,
      type,
      stepId: 'hhs_certification_request-1',
      actorAgencyId: null,
      summary,
    });
    // Only the decision is still in the case: the request it opened, withdrawn since, is not.
    const sentences = timelineOf(
      [
        entry(1, 'step.opened', 'hhs_certification_request-1 opened for advocate'),
        entry(
          2,
          'step.withdrawn',
          'hhs_certification_request-1 withdrawn: no longer follows from cp_decision-1 as corrected',
        ),
      ],
      [decision],
      wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), [
        { id: 'demo-advocates', name: 'Demo Survivor Legal Advocates', email: null },
      ]),
      { advocate: 'demo-advocates' },
    ).map(asRead);
    expect(sentences).toEqual([
      'HHS certification request withdrawn: no longer follows from Continued Presence decision as corrected',
      'HHS certification request opened, owed by Demo Survivor Legal Advocates.',
    ]);
  });

  /**
   * The advocate role transferred after a correction withdrew the HHS certification request the CP grant opened: each
   * opening still names the agency that owed the step then, never the one the case moved to later.
   */
  describe('a withdrawn step opened before a transfer is named owed by the agency that owed it then', () => {
    const named = wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), [
      { id: 'demo-advocates', name: 'Demo Survivor Legal Advocates', email: null },
      { id: 'probe-second-advocates', name: 'Probe Second Advocates', email: null },
    ]);
    const request = 'hhs_certification_request-1';
    const entry = (seq: number, type: string, summary: string) => ({
      seq,
      at: `2026-12-04T1${seq}:00:00.000Z`,
      type,
      stepId: type === 'case.transferred' ? null : request,
      actorAgencyId: null,
      summary,
    });
    const opened = `${request} opened for advocate`;
    const withdrawn = `${request} withdrawn: no longer follows from cp_decision-1 as corrected`;
    const transferred = 'advocate transferred from demo-advocates to probe-second-advocates (referred)';
    const openings = (entries: ReturnType<typeof entry>[], steps: Parameters<typeof timelineOf>[1] = []) =>
      timelineOf(entries, steps, named, { advocate: 'probe-second-advocates' })
        .map(asRead)
        .filter((sentence) => sentence.includes('opened'));

    test('withdrawn, then transferred', () => {
      expect(
        openings([
          entry(1, 'step.opened', opened),
          entry(2, 'step.withdrawn', withdrawn),
          entry(3, 'case.transferred', transferred),
        ]),
      ).toEqual(['HHS certification request opened, owed by Demo Survivor Legal Advocates.']);
    });

    test('withdrawn, opened again, transferred with it and withdrawn again: both openings', () => {
      expect(
        openings([
          entry(1, 'step.opened', opened),
          entry(2, 'step.withdrawn', withdrawn),
          entry(3, 'step.opened', opened),
          entry(4, 'case.transferred', transferred),
          entry(5, 'step.withdrawn', withdrawn),
        ]),
      ).toEqual([
        'HHS certification request opened, owed by Demo Survivor Legal Advocates.',
        'HHS certification request opened, owed by Demo Survivor Legal Advocates.',
      ]);
    });

    test('withdrawn, transferred, then opened again for the new agency: each opening its own', () => {
      const reopened = {
        id: request,
        kind: 'hhs_certification_request',
        agencyId: 'probe-second-advocates',
        agencyKind: 'advocate',
        details: {},
      };
      expect(
        openings(
          [
            entry(1, 'step.opened', opened),
            entry(2, 'step.withdrawn', withdrawn),
            entry(3, 'case.transferred', transferred),
            entry(4, 'step.opened', opened),
          ],
          [reopened],
        ),
      ).toEqual([
        'HHS certification request opened, owed by Probe Second Advocates.',
        'HHS certification request opened, owed by Demo Survivor Legal Advocates.',
      ]);
    });
  });

  test('a correction does not call a signed step due, and says what it left to ask again as a person would', () => {
    const decision = {
      id: 'cp_decision-1',
      kind: 'cp_decision',
      agencyId: null,
      agencyKind: 'ice',
      details: {},
    };
    const entry = (seq: number, type: string, stepId: string, summary: string) => ({
      seq,
      at: `2026-12-04T1${seq}:00:00.000Z`,
      type,
      stepId,
      actorAgencyId: null,
      summary,
    });
    const sentences = timelineOf(
      [
        entry(1, 'step.completed', decision.id, 'cp_decision-1 completed: granted'),
        entry(
          2,
          'step.rescheduled',
          decision.id,
          'cp_decision-1 now due 2026-12-21T00:00:00.000Z (was 2026-12-22T00:00:00.000Z)',
        ),
        entry(
          3,
          'step.withdrawn',
          'cp_request-2',
          'cp_request-2 withdrawn: nothing is left to ask again with cp_decision-1 as corrected',
        ),
      ],
      [decision],
      words,
    ).map(asRead);
    expect(sentences).toEqual([
      'Continued Presence request withdrawn: as corrected, the Continued Presence decision leaves nothing to ask again.',
      'Continued Presence decision, already signed: its deadline is now 20 Dec 2026 (was 21 Dec 2026).',
      'Continued Presence decision signed off.',
    ]);
  });

  test('a reminder a "Needed again" email made needless says so in words, named as the case\'s reminders name it', () => {
    const [line] = timelineOf(
      [
        {
          seq: 1,
          at: '2026-12-04T10:00:00.000Z',
          type: 'reminder.not_sent',
          stepId: grant.id,
          actorAgencyId: 'demo-task-force',
          summary:
            'expiry_reminder (cp_validity) for cp_decision-1 not sent to law enforcement: the "Needed again" email of ' +
            'cp_renewal_request-2 says it',
        },
      ],
      [grant],
      words,
    );
    const sentence = asRead(line!);
    expect(sentence).toMatch(
      /: not sent, since the "Needed again" email of Continued Presence renewal request says it\.$/,
    );
    expect(sentence).not.toMatch(/expiry_reminder|cp_validity|cp_decision-1|_/);
  });

  describe('a case entered after the fact: what its identification opened is shown on its day, with no hour', () => {
    const identification = (identifiedOn: string) => ({
      id: 'identification-1',
      kind: 'identification',
      agencyId: null,
      agencyKind: 'law_enforcement',
      details: { identifiedOn, path: 'adult' },
    });
    const request = {
      id: 'cp_request-1',
      kind: 'cp_request',
      agencyId: null,
      agencyKind: 'law_enforcement',
      details: {},
    };
    const at = (when: string) => [
      {
        seq: 2,
        at: when,
        type: 'step.completed',
        stepId: 'identification-1',
        actorAgencyId: null,
        summary: 'identification-1 identified (adult path) (happened on 2026-11-20, recorded on 2026-12-04)',
      },
      {
        seq: 3,
        at: when,
        type: 'step.opened',
        stepId: 'cp_request-1',
        actorAgencyId: null,
        summary: 'cp_request-1 opened',
      },
    ];
    const whens = (entries: ReturnType<typeof at>, zone: string, zones: string[] = []) =>
      timelineOf(
        withDays(entries, [identification('2026-11-20'), request], zones),
        [identification('2026-11-20'), request],
        wordsFor(zone, new Date('2026-12-04T12:00:00Z'), [], zones),
      ).map((line) => line.when);

    test('identified on 20 Nov by the day, where the police keep UTC: the day, not "20 Nov 2026, 00:00 UTC"', () => {
      expect(whens(at('2026-11-20T00:00:00.000Z'), 'UTC', ['UTC'])).toEqual(['20 Nov 2026', '20 Nov 2026']);
    });

    test('by the day in Chicago (its midnight, 06:00 UTC) or Guam (14:00 UTC the day before): the day, for every reader', () => {
      for (const zone of ['UTC', 'America/New_York', 'America/Chicago', 'Pacific/Guam']) {
        expect(whens(at('2026-11-20T06:00:00.000Z'), zone, ['America/Chicago', 'Pacific/Guam'])).toEqual([
          '20 Nov 2026',
          '20 Nov 2026',
        ]);
        expect(whens(at('2026-11-19T14:00:00.000Z'), zone, ['America/Chicago', 'Pacific/Guam'])).toEqual([
          '20 Nov 2026',
          '20 Nov 2026',
        ]);
      }
    });

    test('identified at an hour the officer entered: that moment, for the identification and what it opened', () => {
      expect(whens(at('2026-11-20T14:37:00.000Z'), 'UTC', ['UTC'])).toEqual([
        '20 Nov 2026, 14:37 UTC',
        '20 Nov 2026, 14:37 UTC',
      ]);
    });

    test('a step opened at a midnight no day entered is that moment', () => {
      const [opened] = at('2026-11-20T00:00:00.000Z').slice(1);
      expect(whens([opened!], 'UTC', ['UTC'])).toEqual(['20 Nov 2026, 00:00 UTC']);
    });
  });

  test('an email that kept failing and was then settled as not sent reads as settled, not as still retrying', () => {
    const [line] = timelineOf(
      [
        {
          seq: 1,
          at: '2026-12-04T10:00:00.000Z',
          type: 'notification.not_sent',
          stepId: declaration.id,
          actorAgencyId: null,
          summary:
            'reminder email for le_declaration-1 to demo-police: delivery failing since 2026-12-04T09:00:00.000Z; ' +
            'not sent: the step was done before the email could go out (settled at 2026-12-05T08:00:00.000Z)',
        },
      ],
      [declaration],
      words,
    );
    expect(line && asRead(line)).toBe(
      'Law-enforcement declaration (Form I-914, Supplement B): an email failed to arrive, and is no longer owed. ' +
        'Not sent: the step was done before the email could go out.',
    );
  });

  test('a response to a notice made after the date on it says how late and what it risks; one in time says nothing', () => {
    const response = (respondedOn: string) => ({
      id: 't_visa_evidence_response-1',
      kind: 't_visa_evidence_response',
      agencyId: null,
      agencyKind: 'advocate',
      status: 'completed',
      details: { notice: 'noid', issuedOn: '2026-09-01', respondBy: '2026-10-01', respondedOn },
    });
    const signed = (respondedOn: string) =>
      timelineOf(
        [
          {
            seq: 1,
            at: `${respondedOn}T12:00:00.000Z`,
            type: 'step.completed',
            stepId: 't_visa_evidence_response-1',
            actorAgencyId: null,
            summary: 't_visa_evidence_response-1 responded by advocate',
          },
        ],
        [response(respondedOn)],
        words,
      )[0]!;
    expect(asRead(signed('2026-10-15'))).toBe(
      'T visa response to a request for evidence or notice of intent to deny signed off. Responded 14 days after the ' +
        'date on the notice (1 Oct 2026): USCIS may not consider a late response, and may deny the application for no response.',
    );
    expect(asRead(signed('2026-10-01'))).toBe(
      'T visa response to a request for evidence or notice of intent to deny signed off.',
    );
  });

  test('a T-visa receipt notice reads "received" and its day, where it read "received, receipt"', () => {
    const receipt = {
      id: 't_visa_receipt-1',
      kind: 't_visa_receipt',
      track: 't_visa',
      agencyId: null,
      agencyKind: 'advocate',
      status: 'completed',
      dueAt: null,
      expiresAt: null,
      completedAt: '2026-12-02T12:00:00.000Z',
      outcome: 'received',
      details: { receivedOn: '2026-12-02' },
    };
    const [standing] = standingOf([receipt], ['t_visa'], words);
    expect(standing?.done.map((line) => line.what)).toEqual(['T visa receipt notice: received 2 Dec 2026']);
  });
});
