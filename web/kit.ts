/** What every page handler shares: the API client for this browser, the signed-in user, and rendering. */
import { join } from 'node:path';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { ApiProblem, apiClient, ok, type Api } from './api-client';
import type { operations } from './api-types';
import {
  agencyKindLabel,
  humanize,
  reminderStatusLabel,
  stepLabel,
  trackLabel,
  wordsFor,
  type AgencyEntry,
  type Words,
} from './labels';
import { EARLIEST_DATE, LATEST_DATE } from '../domain/dates';
import { actingRefusal } from '../domain/access';
import { CSRF_FIELD, sessionTokenOf, type Csrf, type SessionSettings } from './session';
import { dropKeptForm, keptFormHere } from './kept-form';
import { isolated, sentenceHtml } from './isolated';
import { zonesCountedIn } from '../core/people-dates';

type JsonOf<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
export type MeView = JsonOf<operations['getApiMe']>;
/** A system administrator: every agency and every user are theirs to manage. */
export const isSystemAdmin = (me: MeView) => (me.user.roles as readonly string[]).includes('system_admin');
export type CaseView = JsonOf<operations['getApiCasesCaseId']>;
export type AgencyView = JsonOf<operations['getApiAgencies']>['items'][number];
/** What confirming a correction would withdraw, as the API's preview of it tells this reader. */
export type CorrectionPreview = JsonOf<operations['postApiCasesCaseIdStepsStepIdCorrectionsPreview']>;

/** A case's page as its handler starts: the signed-in user, the case the URL names, and the case as they may read it. */
export interface CaseOpened<T> {
  me: MeView;
  caseId: string;
  view: CaseView;
  /** What the page reads of the case beside it (`Kit.caseOf`'s `also`). */
  also: T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A URL that cannot name a case is "not found" here, before anything reaches the API. */
export function caseIdOf(req: Request): string {
  const caseId = String(req.params.caseId);
  if (!UUID.test(caseId)) throw new ApiProblem(404, { title: 'Not Found', detail: 'There is no such case.' });
  return caseId.toLowerCase();
}

export interface ConsoleSettings {
  /** Where the API listens, as the console reaches it (loopback in one process). */
  apiUrl: string;
  /** Vouches for the browser's address the console forwards (core/console-client.ts). */
  proof: string;
  session: SessionSettings;
  csrf: Csrf;
}

/**
 * Whether this reader acts as the case's coordinator, who alone transfers, closes or withdraws it: a coordinator of the
 * agency coordinating this case (the workflow's own rule, domain/access.ts actingRefusal). The case page links those
 * forms for them alone, and the forms' pages refuse anyone else before showing a field.
 */
export function coordinatesCase(me: MeView, view: Pick<CaseView, 'agencies'>): boolean {
  const { id, agencyId, agencyKind, roles } = me.user;
  return actingRefusal({ userId: id, agencyId, agencyKind, roles }, view.agencies, 'coordinator', 'the case') === null;
}

/**
 * The page of a coordinator's form (a transfer, closing or withdrawing) refused to anyone else who reads the case, an
 * officer or a supervisor following a shared link say, in words and naming the coordinating agency: never the form,
 * which the API would refuse once filled in.
 */
export function coordinatorsForm(me: MeView, view: Pick<CaseView, 'agencies'>, what: string, words: Words): void {
  if (coordinatesCase(me, view)) return;
  const coordinator = view.agencies.coordinator;
  throw new ApiProblem(403, {
    title: 'Forbidden',
    detail:
      `Only the case’s coordinator${coordinator ? `, ${words.agencyName(coordinator)},` : ''} may ${what}. ` +
      'You can still read the case on its page.',
  });
}

/** The console's view of a user: which home page and which menu entries they get (the API enforces each). */
export function homeOf(me: MeView): 'dashboard' | 'inbox' | 'audit' {
  const roles: readonly string[] = me.user.roles;
  if (roles.includes('supervisor') || (roles.includes('coordinator') && me.user.agencyKind === 'coordinator'))
    return 'dashboard';
  if (me.can.signSteps) return 'inbox';
  return 'audit';
}

export class Kit {
  private readonly eta = new Eta({ views: join(__dirname, 'views'), cache: true, autoEscape: true });

  constructor(readonly settings: ConsoleSettings) {}

  /** The API as this browser's user: their session token and their address. */
  api(req: Request): Api {
    return apiClient(this.settings.apiUrl, {
      token: sessionTokenOf(req),
      clientIp: req.ip,
      proof: this.settings.proof,
    });
  }

  /**
   * The signed-in user (GET /api/me); an ApiProblem 401 if the session has ended. The agencies come with it, once per
   * page, so every page names agencies rather than showing their ids.
   */
  async me(req: Request, res: Response): Promise<MeView> {
    const cached = res.locals.me as MeView | undefined;
    if (cached) return cached;
    const api = this.api(req);
    const [me, agencies] = await Promise.all([api.GET('/api/me').then(ok), api.GET('/api/agencies').then(ok)]);
    res.locals.me = me;
    res.locals.agencies = agencies.items;
    return me;
  }

  /**
   * The form this user sent from this page as their session ended (web/kept-form.ts), to show again filled in, with
   * a notice (KEPT_NOTICE) that nothing was sent; undefined when there is none. Shown once: the page rendered with
   * it clears it (`render`).
   */
  async keptForm(req: Request, res: Response): Promise<Record<string, string> | undefined> {
    const me = await this.me(req, res);
    const kept = await keptFormHere(req, res, this.settings.session, me.user.id);
    if (kept) res.locals.formKept = true;
    return kept;
  }

  /** The case as this browser's user may read it (GET /api/cases/{caseId}); an ApiProblem as the API refused. */
  async case(req: Request, caseId: string): Promise<CaseView> {
    return ok(await this.api(req).GET('/api/cases/{caseId}', { params: { path: { caseId } } }));
  }

  /**
   * The start of every page of one case: the signed-in user (`me`), the case id the URL names (`caseIdOf`), then the
   * case as this user may read it (`case`), each refusal an ApiProblem. `also`: what the page reads of the case beside
   * it (its documents, its survivor), asked at the same time as the case.
   */
  async caseOf<T = undefined>(
    req: Request,
    res: Response,
    also?: (api: Api, caseId: string) => Promise<T>,
  ): Promise<CaseOpened<T>> {
    const me = await this.me(req, res);
    const caseId = caseIdOf(req);
    const api = this.api(req);
    // Asked first: what refuses the URL before anything is read (a document id that names none) refuses it here too.
    const alongside = also ? also(api, caseId) : (undefined as T);
    const [view, more] = await Promise.all([
      api.GET('/api/cases/{caseId}', { params: { path: { caseId } } }).then(ok),
      alongside,
    ]);
    // Every date of this case's page is read in the zone it was identified in, where it kept one (`words`).
    res.locals.caseIdentifiedIn = view.identifiedIn;
    return { me, caseId, view, also: more };
  }

  /** The agencies GET /api/agencies lists, as `me` read them for this page. */
  agencies(res: Response): AgencyView[] {
    return (res.locals.agencies as AgencyView[] | undefined) ?? [];
  }

  /**
   * The words of this page for its reader: dates in their agency's zone, agencies by name (web/labels.ts). A page of
   * one case (`caseOf`) reads its due dates' last days in the zone the case was identified in, where it kept one
   * (core/people-dates.ts `zonesCountedIn`); any other, in every zone law enforcement works in now.
   */
  words(res: Response): Words {
    const me = res.locals.me as MeView | undefined;
    const agencies: AgencyEntry[] = this.agencies(res);
    const countedIn = zonesCountedIn(
      res.locals.caseIdentifiedIn as string | null | undefined,
      me?.deadlineTimeZones ?? [],
    );
    // The API's clock, not this process's: "overdue" beside a step then says what the API's lists say.
    return wordsFor(me?.timeZone ?? 'UTC', me ? new Date(me.now) : new Date(), agencies, countedIn);
  }

  render(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): void {
    const me = res.locals.me as MeView | undefined;
    const flash: unknown = data.flash ?? (res.locals.formKept ? KEPT_NOTICE : undefined);
    if (res.locals.formKept) dropKeptForm(res, this.settings.session);
    const html = this.eta.render(view, {
      me,
      home: res.locals.me ? homeOf(res.locals.me as MeView) : undefined,
      path: req.path,
      csrfField: CSRF_FIELD,
      csrf: this.settings.csrf.tokenFor(req, res),
      // The helpers the templates (web/views/*.eta) call as `it.h.*`, named so the unused-export check sees them used.
      h: {
        ...this.words(res),
        stepLabel,
        trackLabel,
        agencyKindLabel,
        humanize,
        reminderStatusLabel,
        query,
        escape: this.eta.config.escapeFunction,
        /** A sentence that names people or agencies, as HTML (`<%~`): each name in a `<bdi>` (web/isolated.ts). */
        sentence: (text: string) => sentenceHtml(text, this.eta.config.escapeFunction),
        /** A name or label alone inside the template's own sentence, as HTML (`<%~`): in a `<bdi>`. */
        named: (name: string) => sentenceHtml(isolated(name), this.eta.config.escapeFunction),
        dateLimits: DATE_LIMITS,
      },
      // A notice's first clause ("Your sign-off was recorded"), first in the title; a page may name its own.
      titleNotice: typeof flash === 'string' ? noticeHeadline(flash) : undefined,
      errors: {},
      // The API's id of this request (api/request-id.ts), which support can find in the logs.
      requestId: res.getHeader('X-Request-Id'),
      ...data,
      flash,
    });
    res.status(status).type('html').send(html);
  }
}

/** Above a form kept as its session ended and filled in again after signing in (`keptForm`). */
const KEPT_NOTICE =
  'Your session had ended, so nothing was sent. What you entered is filled in again below: check it, then send it again.';

/**
 * A notice's words up to its first full stop, colon or semicolon: what happened, said first in the page's title
 * ("The case is open", "Asked again", "Name and contact corrected").
 */
const noticeHeadline = (notice: string) => notice.split(/[.:;]/, 1)[0]!.trim();

/**
 * The range of every date input, as the API checks it: the picker offers no other day. Forms marked `novalidate`
 * still send what was typed, and show the API's error for it.
 */
const DATE_LIMITS = ` min="${EARLIEST_DATE}" max="${LATEST_DATE}"`;

/** A query string of the non-empty values, for links that keep a list's filters. */
function query(values: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string' && value !== '') params.set(key, value);
    else if (typeof value === 'number') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A query parameter as a single string, or undefined (repeated or absent parameters are ignored). */
export function param(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A posted form's fields as strings. */
export function formOf(req: Request): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    if (typeof value === 'string') form[key] = value;
  return form;
}
