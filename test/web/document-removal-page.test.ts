/**
 * The page that removes a document, opened by someone who may not remove it (a supervisor, who sees the step): a 403
 * page saying who may, without the destructive form, as the sign-off page answers one who may not sign; those who may
 * get the form. The whole service on real parts; pages read as HTML.
 */
import request from 'supertest';
import { DEMO_AGENCY_LIST } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
  'base64',
);
let caseId = '';
let documentId = '';

beforeAll(async () => {
  caseId = (await openDemoCase(suite, 'document-removal-page', { identifiedOn: '2025-11-03', name: 'Removal Page' }))
    .caseId;
  const added = await request(suite.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/documents`)
    .set(suite.stack.as('law_enforcement'))
    .attach('file', PNG, { filename: 'request.png' })
    .expect(201);
  documentId = (added.body as { id: string }).id;
});

const removalPageAs = (username: string) =>
  request(suite.app)
    .get(`/cases/${caseId}/documents/${documentId}/remove`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie(username)}`);

/** A page's text as read: tags dropped, entities decoded, spaces collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

const nameOf = (kind: string) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.name;

test('a supervisor is told who may remove the document, with no form to fill in first', async () => {
  const page = await removalPageAs('demo-supervisor').expect(403);
  expect(textOf(page.text)).toContain(
    `Only the person who added the document, an officer of the step’s agency on this case (${nameOf('law_enforcement')}), ` +
      `or the case’s coordinator (${nameOf('coordinator')}) may remove it.`,
  );
  expect(page.text).not.toContain(`action="/cases/${caseId}/documents/${documentId}/remove"`);
  expect(page.text).not.toContain('Remove the document');
  expect(page.text).not.toContain('Why it is removed');
});

test("the step's agency and the coordinator get the form", async () => {
  for (const username of ['demo-police-officer', 'demo-coordinator']) {
    const page = await removalPageAs(username).expect(200);
    expect(page.text).toContain(`action="/cases/${caseId}/documents/${documentId}/remove"`);
    expect(page.text).toContain('Remove the document');
  }
});
