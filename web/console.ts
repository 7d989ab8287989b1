/**
 * The web console: server-rendered pages (Eta templates) for coordinators, officers, advocates, supervisors and
 * admins. It is a client of the public API over HTTP and nothing else: it never touches the database, and every
 * permission is the API's. Mounted under `/` after the API routes (api/app.ts).
 */
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { newConsoleProof, vouchedClientOf, type VouchingConsole } from '../core/console-client';
import { isIdempotencyKey } from '../core/idempotency-key';
import { routerPathWords, type VocabularyOf } from '../core/log-vocabulary';
import { ApiProblem } from './api-client';
import { fileNameOf, formFileOf, multipartForm } from './documents';
import { isSecretField, keepForm, keepsForm } from './kept-form';
import { formOf, Kit } from './kit';
import { humanize } from './labels';
import { accountPages } from './pages/account';
import { agencyPages } from './pages/agencies';
import { auditPages } from './pages/audit';
import { authPages } from './pages/auth';
import { caseClosePages } from './pages/case-close';
import { survivorPages } from './pages/survivor';
import { documentRemovalPages } from './pages/document-removal';
import { caseloadPages } from './pages/caseload';
import { casePages } from './pages/cases';
import { homePages } from './pages/home';
import { reportPages } from './pages/reports';
import { OIDC_CALLBACK_PATH, OidcSignIn, type OidcClientSettings } from './oidc';
import { refusalInWords } from './refusal-words';
import { stepPages } from './pages/steps';
import { stepDocumentPages } from './pages/step-documents';
import { userPages } from './pages/users';
import {
  consoleCsrf,
  endSession,
  openSession,
  returnPath,
  sessionLapsed,
  sessionSettings,
  sessionTokenOf,
  sessionUserOf,
  signInReturningTo,
} from './session';

export interface ConsoleOptions {
  /** The API's own base URL, as this process reaches it (e.g. http://127.0.0.1:3000). */
  apiUrl: string;
  /** The URL browsers use; its origin is the only one POSTs are accepted from. */
  publicBaseUrl: string;
  /** Signs CSRF tokens and seals the session cookie: CONSOLE_SECRET, or a development file in the embedded mode. */
  secret: string;
  /** The agency's OpenID Connect provider: offers "sign in with your agency's identity provider" when set. */
  oidc?: OidcClientSettings;
}

/** The hidden field of every form that the API applies once (its `Idempotency-Key`). */
const IDEMPOTENCY_FIELD = 'idempotencyKey';

const PUBLIC_PAGES = new Set(['/sign-in', '/sign-in/oidc', OIDC_CALLBACK_PATH]);

/** Fields a kept form carries but does not list as typed: how the form travels, not what the person entered. */
const NOT_TYPED = new Set([
  IDEMPOTENCY_FIELD,
  'confirm',
  'change',
  'choosing',
  'expectedCorrections',
  'corrections',
  'fromAgencyId',
]);
/** The survivor's details as the correction form was opened with them (`read.name` ...): carried, not typed. */
const AS_READ = 'read.';

/**
 * A form sent while the API is unavailable (503) and whose own page could not be shown again: every entry comes back,
 * listed and carried in hidden fields with the same key, so sending it again applies it once (the API's replay) and
 * nothing typed is lost. A file chosen with it cannot be kept by a page, and is named as to choose again.
 */
function renderFormKept(kit: Kit, req: Request, res: Response): void {
  const form = formOf(req);
  const fields = Object.entries(form).filter(([name]) => !isSecretField(name));
  renderEnteredPage(kit, req, res, 503, 'The service could not finish this just now', {
    message:
      'A system the case service depends on is not answering. What you entered is kept on this page: send it again ' +
      'in a minute.' +
      (form[IDEMPOTENCY_FIELD] ? ' If it was recorded already, sending it again records it once, not twice.' : ''),
    action: req.originalUrl.split('?')[0],
    fields,
  });
}

/**
 * A form sent after the case was transferred away from the sender's agency while it was open (a correction of a
 * sign-off or of the survivor's details, asking again, a document): nothing was saved. The API's words say to which
 * agency; what was entered is listed, to hand over rather than lost, and the page says what to do. A sign-off has a
 * page of its own (pages/cases.ts renderTransferredSignOff). Not a form to send again: the agency may no longer.
 */
function renderTransferredForm(kit: Kit, req: Request, res: Response, problem: ApiProblem): void {
  renderEnteredPage(kit, req, res, 403, 'Not saved: the case was transferred', {
    message: `${refusalInWords(problem.problem, kit.words(res))} Nothing in this form was saved. Keep what you need from below and hand it over to the agency that now has the case.`,
    back: { href: '/', label: 'Back to your inbox' },
  });
}

/**
 * A page saying why a form sent was not applied (web/views/form-kept.eta), listing what was entered in it: what the
 * person typed or chose, each under its name in words (no secret, nothing empty, nothing the form only carries), and
 * the file chosen with it, which no page can keep.
 */
function renderEnteredPage(
  kit: Kit,
  req: Request,
  res: Response,
  status: number,
  heading: string,
  page: { message: string } & ({ action: string | undefined; fields: [string, string][] } | { back: Link }),
): void {
  const entries = Object.entries(formOf(req))
    .filter(
      ([name, value]) => !NOT_TYPED.has(name) && !name.startsWith(AS_READ) && !isSecretField(name) && value.trim(),
    )
    .map(([name, value]) => ({ label: humanize(name.split('.').pop() ?? name), value }));
  kit.render(
    req,
    res,
    'form-kept',
    { title: `Error: ${heading}`, heading, entries, fileNotKept: fileNameOf(formFileOf(res)), ...page },
    status,
  );
}

interface Link {
  href: string;
  label: string;
}

/**
 * The page a form is on, for the forms that post somewhere else than their page: where someone whose session ended
 * while sending one comes back after signing in. Every other form posts to its own page.
 */
const FORM_PAGES: [action: RegExp, page: string][] = [
  [/^\/cases$/, '/cases/new'],
  [/^\/cases\/by-name$/, '/cases'],
  [/^\/users$/, '/users/new'],
  [/^(\/users\/[^/]+)\/(disable|identities|roles)$/, '$1'],
  [/^\/account\/password$/, '/account'],
  [/^\/account\/api-keys\/[^/]+\/revoke$/, '/account/api-keys'],
  [/^\/calendar-feeds(\/[^/]+\/revoke)?$/, '/'],
];

/** Where to come back to after signing in: the page asked for, or the page of the form that was sent. */
function pageOf(req: Request): string {
  if (req.method === 'GET') return req.originalUrl;
  const [path = '/'] = req.originalUrl.split('?');
  const known = FORM_PAGES.find(([action]) => action.test(path));
  return known ? path.replace(known[0], known[1]) : path;
}

/**
 * Where the API answers, the console never: its own paths, and the operations endpoints a setting may leave unmounted
 * (`/metrics` without METRICS_TOKEN, `/dev/mail` without the embedded mail capture), which are then absent (404
 * problem+json) to a scraper or a script, not the console's sign-in page.
 */
const API_ROOTS = ['/api', '/metrics', '/dev', '/codec', '/health', '/ready'];
const isApiPath = (path: string) => API_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));

/**
 * The query parameters the console's pages read (kit.ts `param`, the list pages' filters, the identity provider's answer
 * at the sign-in callback): logged by name (api/request-log.ts). A name missing here is logged as `…`, never as typed.
 */
const CONSOLE_QUERY_NAMES = [
  // The list pages' filters (pages/caseload.ts, steps.ts, audit.ts) and their page's cursor.
  ...['reference', 'status', 'path', 'agencyId', 'track', 'pendingKind', 'overdue', 'limit', 'cursor'],
  ...['openedFrom', 'openedTo', 'identifiedFrom', 'identifiedTo', 'kind', 'dueAfter', 'dueBefore', 'sort'],
  ...['caseReference', 'caseId', 'userId', 'action', 'outcome', 'from', 'to'],
  // What a page is told after a form (a notice, what changed), and where sign-in returns to and why.
  ...['notice', 'changed', 'choosing', 'next', 'reason', 'toAgencyId'],
  // The identity provider's answer (OpenID Connect).
  ...['code', 'state', 'iss', 'error', 'error_description'],
];

export function createConsole(options: ConsoleOptions): Router & Required<VocabularyOf & VouchingConsole> {
  const settings = sessionSettings(options.publicBaseUrl, options.secret);
  const csrf = consoleCsrf(settings);
  const proof = newConsoleProof();
  const kit = new Kit({ apiUrl: options.apiUrl.replace(/\/$/, ''), proof, session: settings, csrf });
  const oidc = options.oidc && new OidcSignIn(options.oidc, options.publicBaseUrl, settings);
  const router = Router();

  // The API answers its own paths (and 404s them as problem+json): the console steps aside.
  router.use((req, _res, next) => (isApiPath(req.path) ? next('router') : next()));
  router.use('/console', express.static(join(__dirname, 'static'), { index: false, maxAge: '1h' }));
  router.use((_req, res, next) => {
    // Pages may show personal data: no browser or proxy cache keeps any of them.
    res.set('Cache-Control', 'no-store');
    next();
  });
  /** A form refused before its handler: a page that says why, with its page to open again and send anew. */
  const refuseForm = (req: Request, res: Response, message: string, status: number) =>
    kit.render(
      req,
      res,
      'error',
      {
        title: 'Form refused',
        heading: 'This form could not be accepted',
        message,
        // The page the form came from (each form posts to its own page): open it again to send it anew.
        back: returnPath(pageOf(req)) && { href: pageOf(req), label: 'Open the form again' },
      },
      status,
    );

  /**
   * A form sent as its session ended (its time passed, or it was revoked): sent to sign in and back to its page, where
   * a form of a page that keeps them (web/kept-form.ts) comes back filled in, sealed for the user who typed it. Its
   * CSRF token was checked first: a form forged elsewhere is never kept. Nothing in it is sent.
   */
  const signInAgain = async (req: Request, res: Response) => {
    const page = pageOf(req);
    const userId = sessionUserOf(req);
    const kept =
      req.method === 'POST' &&
      userId !== undefined &&
      keepsForm(page) &&
      (await keepForm(res, settings, userId, page, formOf(req)));
    res.redirect(303, signInReturningTo(page, kept ? 'kept' : 'expired'));
  };

  router.use(cookieParser());
  // Before the CSRF check, which binds forms to the session, and everything else that reads it.
  router.use(openSession(settings));
  // A form from another site is refused on its headers, before any of its body is read.
  router.use((req, res, next) => {
    if (req.method !== 'POST') return next();
    const refusal = csrf.originRefusal(req);
    return refusal ? refuseForm(req, res, refusal, 403) : next();
  });
  // A form sent with no session at all (no cookie, or one past even its lapsed session's time) is sent to sign in and
  // back to its page, as one whose session was revoked is, before the CSRF check, which binds forms to a session and
  // would call it expired; and before any of its body is read (a sign-off may carry a 10 MB document). One of a
  // session whose time has just passed is read and checked, to be kept (signInAgain, below).
  router.use((req, res, next) => {
    if (req.method !== 'POST' || PUBLIC_PAGES.has(req.path) || sessionTokenOf(req) || sessionLapsed(req)) return next();
    res.redirect(303, signInReturningTo(pageOf(req), 'expired'));
  });
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));
  // The sign-off form may carry a document, and a step's documents page adds one: the forms sent as multipart, read
  // before the CSRF check needs them (its token is one of their fields); only from a browser signed in (above).
  router.post(['/cases/:caseId/steps/:stepId', '/cases/:caseId/steps/:stepId/documents'], multipartForm);
  router.use((req, res, next) => {
    if (req.method !== 'POST') return next();
    const refusal = csrf.refusal(req);
    return refusal ? refuseForm(req, res, refusal, 403) : next();
  });
  // A form's idempotency key, a hidden field (web/form-problems.ts idempotencyKeyOf), is sent on as the API's
  // Idempotency-Key header. One the API would refuse (altered, cut short; outside Latin-1 it cannot even be written in
  // a header) is refused here, for every form alike. Refused, never replaced by a new key: under a new key a form sent
  // twice (a double-click) would be applied twice.
  router.use((req, res, next) => {
    const form = req.body as Record<string, unknown> | undefined;
    if (req.method !== 'POST' || !form || !(IDEMPOTENCY_FIELD in form) || isIdempotencyKey(form[IDEMPOTENCY_FIELD]))
      return next();
    refuseForm(
      req,
      res,
      'It cannot be sent as it is, and nothing in it was saved. Open it again and fill it in anew.',
      400,
    );
  });
  // A browser sends a form in UTF-8 (the pages are); bytes that are not arrive decoded as U+FFFD, which would be stored,
  // in a survivor's name as anywhere, as it was read. Refused whole, as the API refuses such a body (encoding_invalid).
  router.use((req, res, next) => {
    const form = req.body as Record<string, unknown> | undefined;
    const unreadable = Object.values(form ?? {}).some((value) => typeof value === 'string' && value.includes('\uFFFD'));
    if (req.method !== 'POST' || !unreadable) return next();
    refuseForm(
      req,
      res,
      'Some of its text could not be read (it was not sent as UTF-8), and nothing in it was saved. Open it again and fill it in anew.',
      400,
    );
  });
  router.use(async (req, res, next) => {
    if (PUBLIC_PAGES.has(req.path) || sessionTokenOf(req)) return next();
    if (req.method === 'GET') return res.redirect(303, signInReturningTo(pageOf(req)));
    if (req.method === 'POST') return signInAgain(req, res);
    next();
  });

  router.use(
    authPages(kit, oidc),
    homePages(kit),
    stepPages(kit),
    caseloadPages(kit),
    casePages(kit),
    auditPages(kit),
    reportPages(kit),
    userPages(kit),
    agencyPages(kit),
    accountPages(kit),
    caseClosePages(kit),
    survivorPages(kit),
    documentRemovalPages(kit),
    stepDocumentPages(kit),
  );

  // An address the console has no page for: a page in its layout, not the API's problem+json.
  router.use(async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    try {
      await kit.me(req, res);
      const heading = 'Page not found';
      kit.render(
        req,
        res,
        'error',
        { title: heading, heading, message: 'There is no page at this address. Check it, or start again below.' },
        404,
      );
    } catch (error) {
      next(error);
    }
  });

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/api/')) return next(error);
    // A page that failed did not show the form kept for it (Kit.keptForm): its error page says nothing of it.
    res.locals.formKept = false;
    if (error instanceof ApiProblem && error.status === 401) {
      endSession(res, settings);
      return signInAgain(req, res).catch(next);
    }
    if (error instanceof ApiProblem && error.status === 503) {
      // PostgreSQL or Temporal is down behind the API: nothing the person did wrong, and nothing for us to debug.
      req.log?.warn({ err: error }, 'console page: the API is unavailable');
      // A form sent meanwhile, whose own page could not be read again to show it (the case, the reader: PostgreSQL's):
      // what was typed comes back all the same, with its key, to send again once the service answers.
      if (req.method === 'POST' && !PUBLIC_PAGES.has(req.path) && sessionTokenOf(req))
        return renderFormKept(kit, req, res);
      const heading = 'The service is temporarily unavailable';
      return kit.render(
        req,
        res,
        'error',
        {
          title: heading,
          heading,
          message: 'A system the case service depends on is not answering. Please try again in a minute.',
        },
        503,
      );
    }
    if (error instanceof ApiProblem && error.problem.code === 'transferred_away' && req.method === 'POST')
      return renderTransferredForm(kit, req, res, error);
    const refused = clientError(error);
    if (refused) {
      // Not ours to fix: a page the reader may not open or that is not there, or a request that was wrong (an address
      // that does not decode, a field twice, a value too long). Said in words; a wrong request names its fields.
      const { status, problem } = refused;
      const heading = REFUSAL_HEADINGS[status];
      const fields = status === 400 || status === 422 ? (problem?.errors ?? []) : [];
      const said = [
        problem?.detail ? refusalInWords(problem, kit.words(res)) : '',
        ...fields.map(({ field, message }) => `${field}: ${message}`),
      ].filter(Boolean);
      const message =
        said.join(' ') ||
        (heading ? '' : 'The address or the form could not be read. Check it, or start again from the home page.');
      const title = heading ?? 'This could not be done';
      return kit.render(req, res, 'error', { title, heading: title, message }, status);
    }
    req.log?.error({ err: error }, 'console page failed');
    kit.render(
      req,
      res,
      'error',
      { title: 'Something went wrong', heading: 'Something went wrong', message: 'Please try again in a moment.' },
      500,
    );
  });

  return Object.assign(router, {
    vocabulary: () => ({ pathWords: routerPathWords(router), queryNames: CONSOLE_QUERY_NAMES }),
    vouchedClientOf: (req: IncomingMessage) => vouchedClientOf(req.headers, proof),
  });
}

const REFUSAL_HEADINGS: Readonly<Record<number, string>> = { 403: 'You cannot open this page', 404: 'Not found' };

/**
 * A refusal of the request itself, not a failure of ours: the API's 4xx answers the pages do not show in their own
 * forms, and the 4xx errors Express and its parsers raise (a path that does not decode, a body that cannot be read).
 */
function clientError(error: unknown): { status: number; problem?: ApiProblem['problem'] } | undefined {
  if (error instanceof ApiProblem) return error.status >= 400 && error.status < 500 ? error : undefined;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? { status } : undefined;
}
