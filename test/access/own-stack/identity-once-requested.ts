/**
 * ICE and HHS read a survivor's identity only once a request reached their agency (domain/access.ts
 * `survivorRefusal`, and the name search's SQL in db/case-list.ts): every case names an ICE and an HHS office, so
 * otherwise immigration enforcement would read the name, birth date and contact of every survivor. Before their
 * agency has a step on the case: GET /survivor is 403 `identity_not_yet_requested`, the case page shows no identity
 * and says when it will, and the name search does not find the case. Once the police sign the CP request (ICE's CP
 * decision opens) or a minor's notification (HHS's letters open), the same officer reads it and finds it. Law
 * enforcement, the advocate and the coordinator read it throughout. The whole service on real parts, the console
 * calling the API over HTTP.
 */
import request from 'supertest';
import { CasePageSchema } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { dateOf } from '../../../domain/dates';
import type { AgencyKind } from '../../../domain/types';
import { SESSION_COOKIE } from '../../../web/session';
import { consoleStackPerFile } from '../../support/console';

describe('identity-once-requested', () => {
  const service = consoleStackPerFile();
  const ADULT = { name: 'Ximena Quetzal Adult (fictitious)', birthDate: '1990-04-02' };
  const MINOR_NAME = 'Yolotl Quetzal Minor (fictitious)';
  const WORKING_USER: Record<AgencyKind, string> = {
    law_enforcement: 'demo-police-officer',
    ice: 'demo-ice-officer',
    hhs: 'demo-hhs-officer',
    advocate: 'demo-advocate',
    coordinator: 'demo-coordinator',
  };
  const ALWAYS_READ = ['law_enforcement', 'advocate', 'coordinator'] as const;

  let keys = 0;
  const today = async () => dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());

  async function openCase(survivor: { name: string; birthDate: string }): Promise<string> {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', `identity-once-requested-${(keys += 1)}`)
      .send({ identifiedOn: await today(), survivor, agencies: DEMO_AGENCIES })
      .expect(201);
    return (opened.body as { caseId: string }).caseId;
  }

  async function signAsPolice(caseId: string, stepId: string, outcome: string, details: Record<string, string>) {
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', `identity-once-requested-${(keys += 1)}`)
      .send({ outcome, details })
      .expect(200);
  }

  /** What one agency's officer gets of the identity: the API's answer, the case page and the name search. */
  async function identityAs(kind: AgencyKind, caseId: string, name: string) {
    const read = await request(service.app).get(`/api/cases/${caseId}/survivor`).set(service.stack.as(kind));
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(WORKING_USER[kind])}`)
      .expect(200);
    const search = await request(service.app).post('/api/cases/search').set(service.stack.as(kind)).send({ name });
    expect(search.status).toBe(200);
    return {
      status: read.status,
      code: (read.body as { code?: string }).code,
      pageShowsName: page.text.includes(name),
      pageSaysWhen: page.text.includes('shown once a request on this case reaches your agency'),
      found: CasePageSchema.parse(search.body).items.some((item) => item.caseId === caseId),
    };
  }

  const READS = { status: 200, code: undefined, pageShowsName: true, pageSaysWhen: false, found: true };
  const NOT_YET = {
    status: 403,
    code: 'identity_not_yet_requested',
    pageShowsName: false,
    pageSaysWhen: true,
    found: false,
  };

  test("ICE reads an adult's identity only once the police signed the CP request", async () => {
    const caseId = await openCase(ADULT);
    expect(await identityAs('ice', caseId, ADULT.name)).toEqual(NOT_YET);
    // HHS has no step either: an adult never referred for certification.
    expect(await identityAs('hhs', caseId, ADULT.name)).toEqual(NOT_YET);
    for (const kind of ALWAYS_READ) expect([kind, await identityAs(kind, caseId, ADULT.name)]).toEqual([kind, READS]);
    const refused = await request(service.app).get(`/api/cases/${caseId}/survivor`).set(service.stack.as('ice'));
    expect((refused.body as { detail: string }).detail).toMatch(/once a request on this case reaches it/);

    await signAsPolice(caseId, 'cp_request-1', 'requested', { requestedOn: await today() });
    expect(await identityAs('ice', caseId, ADULT.name)).toEqual(READS);
    expect(await identityAs('hhs', caseId, ADULT.name)).toEqual(NOT_YET);
  });

  test("HHS reads a minor's identity only once the police notified it", async () => {
    const birthDate = `${Number((await today()).slice(0, 4)) - 15}-06-01`;
    const caseId = await openCase({ name: MINOR_NAME, birthDate });
    expect(await identityAs('hhs', caseId, MINOR_NAME)).toEqual(NOT_YET);
    // A minor needs no CP: ICE never gets a request, nor the identity.
    expect(await identityAs('ice', caseId, MINOR_NAME)).toEqual(NOT_YET);
    for (const kind of ALWAYS_READ) expect([kind, await identityAs(kind, caseId, MINOR_NAME)]).toEqual([kind, READS]);

    await signAsPolice(caseId, 'hhs_minor_notification-1', 'notified', { notifiedOn: await today() });
    expect(await identityAs('hhs', caseId, MINOR_NAME)).toEqual(READS);
    expect(await identityAs('ice', caseId, MINOR_NAME)).toEqual(NOT_YET);
  });
});
