/**
 * A model-based random walk over many cases at once, through the API as its users: cases opened on the same days
 * (adults and minors, some entered after the fact), then a few hundred random operations (sign-offs valid and not,
 * corrections, asking again, transfers, closing, documents, retries under the same Idempotency-Key, the same request
 * twice at once) with time moved forward across due dates and reminder ladders. After each batch, invariants read from
 * outside: the read model equals what each workflow answers to its state query, every alarm the schedule calls for is
 * sent exactly once and none for a step already settled or a closed case, the audit rows match the applied commands one
 * for one, versions only rise, and no answer is a 5xx. Seeded (test/support/seeded-random.ts): a failure replays with
 * its seed, RANDOM_WALK_SEED=<n> to try another.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../../db/agencies';
import { listNotifications } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import { getCase } from '../../../db/read-model';
import { listCaseReminders } from '../../../db/reminders';
import { notificationMessageId } from '../../../activities/notifications';
import { alarms } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import { addDays } from '../../../domain/dates';
import type { AgencyKind, CaseSnapshot, Step } from '../../../domain/types';
import { caseStateQuery, workflowIdOf } from '../../../workflows/contract';
import { createWorker, type TestUser } from '../../support/auth';
import { seededRandom } from '../../support/seeded-random';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('random-walk', () => {
  const DAY = 24 * 3600 * 1000;
  const SEED = Number(process.env.RANDOM_WALK_SEED ?? 20261207);
  const SECOND_POLICE = 'walk-second-police';
  const FROM = 'Relief cases <no-reply@relief.example.org>';

  let stack: Stack;
  let secondPolice: TestUser;
  beforeAll(async () => {
    stack = await startStack();
    await upsertAgencies(stack.pool, [
      {
        id: SECOND_POLICE,
        kind: 'law_enforcement',
        name: 'Second Walk Police (fictitious)',
        email: 'unit@walk2.example',
      },
    ]);
    secondPolice = await createWorker(stack.pool, SECOND_POLICE, 'law_enforcement');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  type CaseBody = CaseSnapshot & { updatedAt: string };
  interface Answer {
    status: number;
    body: Record<string, unknown>;
    replayed: boolean;
  }
  interface Sent {
    label: string;
    caseId: string;
    path: string;
    headers: { Authorization: string };
    body: object;
    key: string;
    answer: Answer;
  }

  /** What the walk saw: every request with its answer, the highest version each case answered, the 5xx. */
  interface Log {
    sent: Sent[];
    lastVersion: Map<string, number>;
    problems: string[];
  }

  const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);

  function headersOfAgency(agencyId: string, kind: AgencyKind): { Authorization: string } {
    if (agencyId === SECOND_POLICE) return secondPolice.headers;
    return stack.as(kind);
  }

  async function post(
    log: Log,
    label: string,
    caseId: string,
    path: string,
    headers: { Authorization: string },
    body: object,
    key: string = randomUUID(),
  ): Promise<Answer> {
    const response = await request(stack.app).post(path).set(headers).set('Idempotency-Key', key).send(body);
    const answer: Answer = {
      status: response.status,
      body: response.body as Record<string, unknown>,
      replayed: response.headers['idempotent-replayed'] === 'true',
    };
    log.sent.push({ label, caseId, path, headers, body, key, answer });
    noteAnswer(log, label, caseId, answer, headers);
    return answer;
  }

  const lastBody = new Map<string, string>();
  /**
   * Notes a 5xx, and a version lower than one this reader was answered before: a reader who does not see the case whole
   * counts the entries it sees (app/case-reads.ts `visibleTo`), so versions rise per case and reader.
   */
  function noteAnswer(log: Log, label: string, caseId: string, answer: Answer, headers: { Authorization: string }) {
    if (answer.status >= 500) log.problems.push(`${label}: ${answer.status} ${JSON.stringify(answer.body)}`);
    const version = answer.body?.version;
    const id = answer.body?.caseId;
    if (answer.status < 300 && typeof version === 'number' && typeof id === 'string' && !answer.replayed) {
      const reader = `${id} ${headers.Authorization}`;
      const before = log.lastVersion.get(reader) ?? 0;
      const shape = (body: Record<string, unknown>) =>
        `steps ${(body.steps as Step[]).map((s) => `${s.id}:${s.status}:${s.agencyId}`).join(',')} timeline ${(body.timeline as { type: string; stepId: string | null }[]).map((t) => `${t.type}:${t.stepId ?? ''}`).join(',')}`;
      if (version < before)
        log.problems.push(
          `${label}: version ${version} after ${before}\n now ${shape(answer.body)}\n then ${lastBody.get(reader)}`,
        );
      if (version >= before) lastBody.set(reader, shape(answer.body));
      log.lastVersion.set(reader, Math.max(before, version));
    }
  }

  /** Details for each outcome the walk signs, valid on `on` (today on the server's clock). */
  function validSignOff(
    step: Step,
    on: string,
    random: () => number,
  ): { outcome: string; details: Record<string, unknown> } | undefined {
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    switch (step.kind) {
      case 'cp_request':
      case 'cp_renewal_request':
      case 'hhs_certification_request':
        return { outcome: 'requested', details: { requestedOn: on } };
      case 'cp_decision':
        return pick([
          { outcome: 'granted', details: {} },
          { outcome: 'denied', details: { reason: 'other' } },
        ]);
      case 'cp_renewal_decision':
        return pick([
          { outcome: 'renewed', details: {} },
          { outcome: 'denied', details: { reason: 'other' } },
        ]);
      case 'hhs_minor_notification':
        return { outcome: 'notified', details: { notifiedOn: on } };
      case 'hhs_interim_letter':
        return { outcome: 'issued', details: { issuedOn: on } };
      case 'hhs_eligibility_letter':
        return { outcome: 'issued', details: { eligibilityDate: on } };
      case 'hhs_certification_letter':
        return pick([
          { outcome: 'certified', details: { eligibilityDate: on } },
          { outcome: 'denied', details: { reason: 'other' } },
        ]);
      case 't_visa_filing':
      case 'u_visa_petition':
        return { outcome: 'filed', details: { filedOn: on } };
      case 't_visa_receipt':
        return { outcome: 'received', details: { receivedOn: on } };
      case 't_visa_bona_fide':
        return { outcome: pick(['bona_fide', 'not_bona_fide']), details: { determinedOn: on } };
      case 't_visa_evidence_response':
        return { outcome: 'responded', details: { respondedOn: on } };
      case 't_visa_decision':
        return pick([
          { outcome: 'evidence_requested', details: { notice: 'rfe', issuedOn: on, respondBy: addDays(on, 30) } },
          { outcome: 'approved', details: { approvedOn: on, validUntil: addDays(on, 4 * 365) } },
          { outcome: 'denied', details: { reason: 'other' } },
        ]);
      case 'le_declaration':
      case 'u_visa_certification':
        return pick([
          { outcome: 'signed', details: { signedOn: on } },
          { outcome: 'declined', details: { reason: 'other' } },
        ]);
      default:
        return undefined;
    }
  }

  async function stateOf(caseId: string): Promise<CaseState> {
    return stack.client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery);
  }

  /** GET the case as this reader, its version noted (`noteAnswer`). */
  async function readAs(log: Log, caseId: string, headers: { Authorization: string }) {
    const response = await request(stack.app).get(`/api/cases/${caseId}`).set(headers);
    const answer: Answer = { status: response.status, body: response.body as Record<string, unknown>, replayed: false };
    noteAnswer(log, `GET case ${caseId}`, caseId, answer, headers);
    return answer;
  }

  async function readCase(log: Log, caseId: string): Promise<CaseBody> {
    const answer = await readAs(log, caseId, stack.as('coordinator'));
    if (answer.status !== 200) throw new Error(`GET case ${caseId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as unknown as CaseBody;
  }

  /** A step as both sides show it: what the read model keeps of the workflow's. */
  const comparableStep = (step: Step) => ({
    id: step.id,
    kind: step.kind,
    agencyKind: step.agencyKind,
    agencyId: step.agencyId,
    status: step.status,
    openedAt: step.openedAt,
    dueAt: step.dueAt,
    expiresAt: step.expiresAt,
    completedAt: step.completedAt,
    outcome: step.outcome,
  });

  /** The walk's invariants, read from outside once the service has settled; each break a line of the answer. */
  async function check(log: Log, caseIds: string[], applied: Map<string, number>): Promise<string[]> {
    const broken: string[] = [];
    const now = await stack.env.currentTimeMs();
    for (const caseId of caseIds) {
      // The read model catches up with the workflow: the same version, then the same case.
      const { state, view } = await eventually(
        async () => {
          const [state, view] = [await stateOf(caseId), (await getCase(stack.pool, caseId))!];
          return view.version === state.version ? { state, view } : undefined;
        },
        `the read model of ${caseId} at its workflow's version`,
        20_000,
      ).catch(async () => ({ state: await stateOf(caseId), view: (await getCase(stack.pool, caseId))! }));
      // Every reader's view: its version rises (a reader counts what it sees), whoever it is.
      for (const headers of [
        ...(['law_enforcement', 'advocate'] as const).map((kind) => stack.as(kind)),
        secondPolice.headers,
      ]) {
        await readAs(log, caseId, headers);
      }
      // The reminders the read model lists as still to come are the ones the workflow will fire.
      const reminders = await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(stack.as('coordinator'));
      if (reminders.status !== 200) broken.push(`GET reminders ${caseId}: ${reminders.status}`);
      const listed = (await listCaseReminders(stack.pool, caseId))
        .filter((r) => r.status === 'scheduled' || r.status === 'held')
        .map((r) => r.alarmId)
        .sort();
      const toCome =
        state.status === 'open'
          ? alarms(state)
              .map((a) => a.id)
              .sort()
          : [];
      const missing = toCome.filter((id) => !listed.includes(id));
      const extra = listed.filter((id) => !toCome.includes(id));
      if (missing.length + extra.length > 0)
        broken.push(
          `case ${state.reference}: reminders to come listed ${JSON.stringify(extra)} the workflow has not, not listed ${JSON.stringify(missing)}`,
        );
      const where = `case ${state.reference}`;
      if (view.version !== state.version)
        broken.push(`${where}: read model at version ${view.version}, workflow ${state.version}`);
      if (view.status !== state.status)
        broken.push(`${where}: status ${view.status} read, ${state.status} in the workflow`);
      const sorted = (agencies: object) => JSON.stringify(Object.entries(agencies).sort());
      if (sorted(view.agencies) !== sorted(state.agencies))
        broken.push(
          `${where}: agencies ${JSON.stringify(view.agencies)} read, ${JSON.stringify(state.agencies)} in the workflow`,
        );
      // In its own order: the read model lists steps by when they opened, the workflow as it added them.
      const byId = (steps: Step[]) =>
        JSON.stringify(steps.map(comparableStep).sort((a, b) => a.id.localeCompare(b.id)));
      const [viewSteps, stateSteps] = [byId(view.steps), byId(state.steps)];
      if (viewSteps !== stateSteps) broken.push(`${where}: steps differ\n read ${viewSteps}\n workflow ${stateSteps}`);
      const viewTimeline = view.timeline.map((t) => `${t.seq} ${t.type} ${t.stepId ?? ''}`);
      const stateTimeline = state.timeline.map((t) => `${t.seq} ${t.type} ${t.stepId ?? ''}`);
      if (JSON.stringify(viewTimeline) !== JSON.stringify(stateTimeline))
        broken.push(
          `${where}: timeline differs\n read ${viewTimeline.join(' | ')}\n workflow ${stateTimeline.join(' | ')}`,
        );

      // Nothing the schedule calls for is left behind: no alarm of an open case more than an hour past.
      const late = alarms(state).filter((alarm) => Date.parse(alarm.at) < now - 3600_000);
      for (const alarm of late) broken.push(`${where}: alarm ${alarm.id} not fired by ${new Date(now).toISOString()}`);

      // Each notification once, for an alarm the workflow fired, of a step still owed then, in a case still open then.
      const notifications = (await listNotifications(stack.pool, { caseId, limit: 500 })).items;
      const seen = new Set<string>();
      for (const n of notifications) {
        const id = `${n.alarmId}→${n.recipientAgencyId}`;
        if (seen.has(id)) broken.push(`${where}: notification ${id} twice`);
        seen.add(id);
      }
      broken.push(...alarmsAfterSettled(where, state));
      // Each alarm the timeline says was raised has its notification, and each notification its line.
      const raised = new Map<string, number>();
      for (const entry of state.timeline) {
        const kind = /^alarm\.(reminder|due|escalation)$/.exec(entry.type)?.[1];
        if (kind) raised.set(`${entry.stepId}:${kind}`, (raised.get(`${entry.stepId}:${kind}`) ?? 0) + 1);
      }
      const rows = new Map<string, Set<string>>();
      for (const n of notifications) {
        const [stepId, kind] = n.alarmId.split(':');
        if (['reminder', 'due', 'escalation'].includes(kind!))
          rows.set(`${stepId}:${kind}`, (rows.get(`${stepId}:${kind}`) ?? new Set()).add(n.alarmId));
      }
      for (const key of new Set([...raised.keys(), ...rows.keys()]))
        if ((raised.get(key) ?? 0) !== (rows.get(key)?.size ?? 0))
          broken.push(
            `${where}: ${key} raised ${raised.get(key) ?? 0} times in the timeline, ${rows.get(key)?.size ?? 0} notifications ${JSON.stringify([...(rows.get(key) ?? [])])}; timeline ${state.timeline
              .filter((t) => t.stepId === key.split(':')[0])
              .map((t) => `#${t.seq} ${t.at} ${t.type} ${t.summary}`)
              .join(' | ')}`,
          );
      // The audit trail: one row per applied command, each at its own version.
      const { rows: audit } = await stack.pool.query<{ n: string; versions: string }>(
        `SELECT count(*) AS n, count(DISTINCT applied_version) AS versions FROM audit_events
        WHERE case_id = $1 AND applied_version IS NOT NULL`,
        [caseId],
      );
      const audited = Number(audit[0]!.n);
      if (audited !== Number(audit[0]!.versions)) broken.push(`${where}: two audit rows at one version`);
      if (audited !== (applied.get(caseId) ?? 0))
        broken.push(`${where}: ${audited} audit rows of applied commands, ${applied.get(caseId) ?? 0} applied`);
    }
    // Every email once, and every notification sent exactly once.
    const messageIds = new Map<string, number>();
    for (const m of stack.mail.messages())
      messageIds.set(m.messageId ?? '', (messageIds.get(m.messageId ?? '') ?? 0) + 1);
    for (const caseId of caseIds) {
      for (const n of (await listNotifications(stack.pool, { caseId, limit: 500 })).items) {
        // A notice of what passed is gathered into the agency's one email (workflows/passed-notices.ts).
        if (n.alarmId.startsWith('passed_summary')) continue;
        const emails = messageIds.get(notificationMessageId(n.id, FROM)) ?? 0;
        if (n.recipientEmail && n.sentAt && emails !== 1) broken.push(`${n.id} sent, ${emails} emails`);
        if (!n.sentAt && emails > 0) broken.push(`${n.id} not marked sent, ${emails} emails`);
      }
    }
    const ids = stack.mail.messages().map((m) => m.messageId);
    if (ids.length !== new Set(ids).size) broken.push(`an email went out twice (${ids.length - new Set(ids).size})`);
    return broken;
  }

  /**
   * A reminder, deadline or escalation of a step raised after the step was settled (completed, declined, cancelled,
   * withdrawn or expired) and before anything opened it again, or after the case closed, in the order the timeline
   * recorded them (its `at` is when each thing happened, which a sign-off entered after the fact dates earlier).
   */
  function alarmsAfterSettled(where: string, state: CaseState): string[] {
    const settledBy = new Map<string, string>();
    let closed: string | undefined;
    const broken: string[] = [];
    for (const entry of [...state.timeline].sort((a, b) => a.seq - b.seq)) {
      const stepId = entry.stepId ?? '';
      if (/^alarm\.(reminder|due|escalation)$/.test(entry.type)) {
        const settled = settledBy.get(stepId);
        if (settled) broken.push(`${where}: #${entry.seq} ${entry.type} "${entry.summary}" after ${settled}`);
        if (closed) broken.push(`${where}: #${entry.seq} ${entry.type} "${entry.summary}" after ${closed}`);
      } else if (/^step\.(completed|declined|cancelled|withdrawn|expired)$/.test(entry.type)) {
        settledBy.set(stepId, `#${entry.seq} ${entry.type}`);
      } else if (/^step\.(reopened|asked_again|opened|rescheduled|corrected|lapse_corrected)$/.test(entry.type)) {
        settledBy.delete(stepId);
      } else if (/^case\.(closed|withdrawn)$/.test(entry.type)) {
        closed = `#${entry.seq} ${entry.type}`;
      }
    }
    return broken;
  }

  test(`a random walk over 18 cases whose dates collide keeps every invariant (seed ${SEED})`, async () => {
    console.log(`random walk seed ${SEED} (RANDOM_WALK_SEED=${SEED} replays it)`);
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const log: Log = { sent: [], lastVersion: new Map(), problems: [] };
    /** Commands the workflow applied (a fresh 2xx of a case write), per case: the audit rows to expect. */
    const applied = new Map<string, number>();
    const countApplied = (caseId: string, answer: Answer) => {
      if (answer.status < 300 && !answer.replayed) applied.set(caseId, (applied.get(caseId) ?? 0) + 1);
    };

    const start = await today();
    const days = [start, addDays(start, -3), addDays(start, -40)];
    const adult = '1990-05-05';
    const minor = `${Number(start.slice(0, 4)) - 16}-03-03`;
    const caseIds: string[] = [];
    for (let i = 0; i < 18; i += 1) {
      const identifiedOn = pick(days);
      const birthDate = random() < 0.35 ? minor : adult;
      const body = {
        identifiedOn,
        survivor: { name: `Walk Person ${i}`, birthDate },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      };
      const answer = await post(log, `open ${i}`, '', '/api/cases', stack.as('law_enforcement'), body);
      expect(answer.status).toBe(201);
      const caseId = answer.body.caseId as string;
      caseIds.push(caseId);
      countApplied(caseId, answer);
    }

    const png = Buffer.from(
      '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
        '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2' +
        '6d3b1d0000000049454e44ae426082',
      'hex',
    );
    const all: string[] = [];
    for (let batch = 0; batch < 7; batch += 1) {
      for (let op = 0; op < 25; op += 1) {
        const caseId = pick(caseIds);
        const view = await readCase(log, caseId);
        const now = await today();
        // Signed today, yesterday, or on the day the step opened (entered after the fact).
        const on = (step?: Step) => pick([now, now, addDays(now, -1), step ? step.openedAt.slice(0, 10) : now]);
        const pending = view.steps.filter((s) => s.status === 'pending');
        const settled = view.steps.filter((s) => s.status === 'completed' && s.kind !== 'identification');
        const roll = random();
        const base = `/api/cases/${caseId}`;
        const label = (what: string) => `batch ${batch} op ${op} ${what} ${view.reference}`;
        if (roll < 0.4 && pending.length > 0) {
          const step = pick(pending);
          const signOff = validSignOff(step, on(step), random);
          if (!signOff) continue;
          const headers = headersOfAgency(step.agencyId ?? view.agencies[step.agencyKind], step.agencyKind);
          const path = `${base}/steps/${step.id}/sign-off`;
          const twice = random() < 0.2;
          const answers = twice
            ? await Promise.all(
                [0, 1].map(() => post(log, label(`sign ${step.id} at once`), caseId, path, headers, signOff)),
              )
            : [await post(log, label(`sign ${step.id}`), caseId, path, headers, signOff)];
          answers.forEach((a) => countApplied(caseId, a));
          if (twice && answers.filter((a) => a.status < 300).length > 1 && step.kind !== 't_visa_decision')
            log.problems.push(
              `${label('sign twice at once')}: both applied ${JSON.stringify(answers.map((a) => a.status))}`,
            );
          const last = log.sent.at(-1)!;
          if (random() < 0.15 && last.answer.status < 300) {
            // The same request twice at once under its key: one answer, the other its replay or 409 in progress.
            const both = await Promise.all(
              [0, 1].map(() => post(log, label(`retry ${step.id} at once`), caseId, path, headers, signOff, last.key)),
            );
            for (const again of both) {
              const replay = again.status === last.answer.status && again.body.version === last.answer.body.version;
              if (!replay && !(again.status === 409 && again.body.code === 'idempotency_in_progress'))
                log.problems.push(
                  `${label('retry at once')}: ${again.status} ${JSON.stringify(again.body).slice(0, 300)}`,
                );
              countApplied(caseId, again);
            }
          } else if (random() < 0.3 && last.answer.status < 300) {
            // The same request again under its key: answered as the first, applied once.
            const again = await post(log, label(`retry ${step.id}`), caseId, path, headers, signOff, last.key);
            if (again.status !== last.answer.status || again.body.version !== last.answer.body.version)
              log.problems.push(
                `${label('retry')}: ${again.status} v${String(again.body.version)}, first ${last.answer.status} v${String(last.answer.body.version)}`,
              );
            countApplied(caseId, again);
          }
        } else if (roll < 0.5) {
          // An invalid sign-off: the wrong agency, a date that is no date, or a step already settled.
          const step = pick(view.steps);
          const wrong = pick(['advocate', 'hhs', 'ice'] as const);
          const answer = await post(
            log,
            label(`invalid ${step.id}`),
            caseId,
            `${base}/steps/${step.id}/sign-off`,
            stack.as(wrong),
            {
              outcome: pick(Object.keys({ requested: 1, granted: 1, filed: 1 })),
              details: { requestedOn: pick(['yesterday', now]) },
            },
          );
          if (answer.status < 300) countApplied(caseId, answer);
        } else if (roll < 0.6 && settled.length > 0) {
          const step = pick(settled);
          const signOff = validSignOff({ ...step, status: 'pending' }, on(step), random);
          if (!signOff) continue;
          const headers = headersOfAgency(step.agencyId ?? view.agencies[step.agencyKind], step.agencyKind);
          const corrections = Number(step.details?.corrections ?? 0);
          const answer = await post(
            log,
            label(`correct ${step.id}`),
            caseId,
            `${base}/steps/${step.id}/corrections`,
            headers,
            {
              ...signOff,
              reason: 'typed the wrong day',
              expectedCorrections: corrections,
            },
          );
          countApplied(caseId, answer);
        } else if (roll < 0.67) {
          const answer = await post(log, label('ask again'), caseId, `${base}/ask-again`, stack.as('coordinator'), {
            stepKind: pick(['cp_request', 'hhs_certification_request', 'u_visa_certification', 'le_declaration']),
          });
          countApplied(caseId, answer);
        } else if (roll < 0.75) {
          const to = view.agencies.law_enforcement === SECOND_POLICE ? DEMO_AGENCIES.law_enforcement : SECOND_POLICE;
          const body = {
            agencyKind: 'law_enforcement',
            toAgencyId: to,
            fromAgencyId: view.agencies.law_enforcement,
            reason: 'referred',
          };
          const twice = random() < 0.3;
          const answers = twice
            ? await Promise.all(
                [0, 1].map(() =>
                  post(log, label('transfer at once'), caseId, `${base}/transfers`, stack.as('coordinator'), body),
                ),
              )
            : [await post(log, label('transfer'), caseId, `${base}/transfers`, stack.as('coordinator'), body)];
          answers.forEach((a) => countApplied(caseId, a));
          if (answers.filter((a) => a.status < 300).length > 1)
            log.problems.push(`${label('transfer twice at once')}: both applied`);
          // A police agency the case comes back to no longer sees the steps the other signed meanwhile, nor their
          // timeline entries, its own reminders of them included, so the count of entries it reads as `version` may fall
          // (reported, not changed here: which agency sees a step is `canSeeCaseStep`'s rule). Its versions start again.
          for (const headers of [stack.as('law_enforcement'), secondPolice.headers])
            log.lastVersion.delete(`${caseId} ${headers.Authorization}`);
        } else if (roll < 0.76) {
          const answer = await post(log, label('close'), caseId, `${base}/close`, stack.as('coordinator'), {
            status: pick(['closed', 'withdrawn']),
            reason: 'other',
          });
          countApplied(caseId, answer);
        } else if (roll < 0.88 && pending.length > 0) {
          const step = pick(pending);
          const headers = headersOfAgency(step.agencyId ?? view.agencies[step.agencyKind], step.agencyKind);
          const response = await request(stack.app)
            .post(`${base}/steps/${step.id}/documents`)
            .set(headers)
            .set('Idempotency-Key', randomUUID())
            .attach('file', png, { filename: `scan ${op}.png`, contentType: 'image/png' });
          noteAnswer(
            log,
            label(`document ${step.id}`),
            caseId,
            { status: response.status, body: response.body as Record<string, unknown>, replayed: false },
            headers,
          );
          if (response.status >= 400 && response.status !== 403)
            log.problems.push(`${label('document')}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
      await stack.env.sleep(pick([0.3, 1, 2, 5, 9, 16]) * DAY);
      const broken = await check(log, caseIds, applied);
      all.push(...[...log.problems, ...broken].map((b) => `after batch ${batch}: ${b}`));
      log.problems.length = 0;
    }
    const statuses = new Map<number, number>();
    for (const sent of log.sent) statuses.set(sent.answer.status, (statuses.get(sent.answer.status) ?? 0) + 1);
    console.log(
      `random walk: ${log.sent.length} requests, ${JSON.stringify([...statuses])}, ${stack.mail.messages().length} emails`,
    );
    const refusals = new Map<string, number>();
    for (const sent of log.sent.filter((s) => s.answer.status >= 400))
      refusals.set(
        `${sent.answer.status} ${String(sent.answer.body.code)}`,
        (refusals.get(`${sent.answer.status} ${String(sent.answer.body.code)}`) ?? 0) + 1,
      );
    console.log(`refusals: ${JSON.stringify([...refusals])}`);
    expect([...new Set(all)]).toEqual([]);
  }, 300_000);
});
