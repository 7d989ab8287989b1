/** Work lists across cases, straight from the read model: the caseload, pending or overdue steps, notifications. */
import type { z } from 'zod';
import { AppError } from '../../core/errors';
import type { ApiDeps } from '../deps';
import { detailsShown } from '../../app/step-notes';
import { route, type Permission, type Route } from '../route';
import { listedAgency, searchesByName, seesCases } from '../../domain/access';
import type { Actor } from '../../domain/types';
import { instantOfBound, normaliseInstant } from '../../domain/dates';
import {
  CaseListQuerySchema,
  CasePageSchema,
  CaseSearchSchema,
  NotificationListQuerySchema,
  NotificationPageSchema,
  StepCountQuerySchema,
  StepCountSchema,
  StepListQuerySchema,
  StepPageSchema,
} from '../schemas';

export const SEES_CASES: Permission = { test: seesCases, needs: 'a role that works or supervises cases' };

/** The agency a list is narrowed to (`listedAgency`, domain/access.ts); asking for one not to be seen is a 403. */
export function ownAgencyUnlessOverseeing(actor: Actor, requested: string | undefined): string | undefined {
  const listed = listedAgency(actor, requested);
  if (!listed) {
    throw new AppError('forbidden', "Your role sees your own agency's items only.", {
      code: 'other_agency',
      fields: [{ field: 'agencyId', message: 'must be your own agency' }],
    });
  }
  return listed.agencyId;
}

/** A list's date bound as the instant it stands for (a bare date: its start, UTC), when given. */
const boundOf = (value: string | undefined) => (value === undefined ? undefined : instantOfBound(value));

/** The caseload's filters as the API takes them (GET's query, or the name search's body), as the read model does. */
function caseFilterOf(query: z.output<typeof CaseListQuerySchema>) {
  const { reference, openedFrom, openedTo, ...rest } = query;
  return { ...rest, referencePrefix: reference, openedFrom: boundOf(openedFrom), openedTo: boundOf(openedTo) };
}

const SEARCHES_BY_NAME: Permission = {
  test: searchesByName,
  needs: "a role that works cases and reads survivors' identities",
};

export function listRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/steps',
      tag: 'lists',
      summary: 'Pending or overdue steps across cases, filtered and sorted by due date, one page at a time.',
      allow: SEES_CASES,
      query: StepListQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: StepPageSchema } },
      handle: async ({ query, actor }) => {
        const page = await deps.lists.steps(actor, {
          status: query.status,
          agencyId: ownAgencyUnlessOverseeing(actor, query.agencyId),
          kind: query.kind,
          dueBefore: boundOf(query.dueBefore),
          dueAfter: boundOf(query.dueAfter),
          dueAtTheHourBefore: boundOf(query.dueAtTheHourBefore),
          dueAtTheHourAfter: boundOf(query.dueAtTheHourAfter),
          dueAfterExcept: query.dueAfterExcept?.map(normaliseInstant),
          dueBeforeAlso: query.dueBeforeAlso?.map(normaliseInstant),
          sort: query.sort === 'dueAt' ? 'due_at' : '-due_at',
          limit: query.limit,
          cursor: query.cursor,
        });
        // A work list never opens a note (app/step-notes.ts): the case itself shows it to those who may read it.
        return {
          status: 200,
          body: { ...page, items: page.items.map((item) => ({ ...item, details: detailsShown(item.details) })) },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/steps/count',
      tag: 'lists',
      summary:
        'How many steps GET /api/steps lists with the same status, agencyId and kind, every page of them: the inbox counts its overdue steps by it.',
      allow: SEES_CASES,
      query: StepCountQuerySchema,
      responses: { 200: { description: 'the count', schema: StepCountSchema } },
      // The same scope as GET /api/steps.
      handle: async ({ query, actor }) => ({
        status: 200,
        body: await deps.lists.stepCount(actor, {
          status: query.status,
          agencyId: ownAgencyUnlessOverseeing(actor, query.agencyId),
          kind: query.kind,
        }),
      }),
    }),
    route({
      method: 'get',
      path: '/api/cases',
      tag: 'lists',
      summary: "The caseload: the cases the caller's agency takes part in, filtered, newest first, one page at a time.",
      allow: SEES_CASES,
      query: CaseListQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: CasePageSchema } },
      handle: async ({ query, actor }) => ({ status: 200, body: await deps.lists.cases(actor, caseFilterOf(query)) }),
    }),
    route({
      method: 'post',
      path: '/api/cases/search',
      tag: 'lists',
      summary:
        "Find cases by the survivor's name (whole words, any order; case and accents ignored), with the caseload's filters: only for those who read identities. The name goes in the body, never a URL; it is looked up in a blind index (HMAC) and neither logged nor audited.",
      allow: SEARCHES_BY_NAME,
      body: CaseSearchSchema,
      // Audited without the name or anything derived from it: who searched, when, and the outcome.
      audit: 'case.search_by_name',
      // Counted with the writes (per user): a script trying names is held back like one making changes.
      rateLimit: 'write',
      responses: {
        200: {
          description: 'one page; pass nextCursor as cursor, with the same name, for the next',
          schema: CasePageSchema,
        },
        403: { description: 'a role that may not read identities', problem: true },
        422: {
          description:
            'a body field is not valid (the errors name each), the name has no letters or digits to search for (`invalid_name`), or the cursor is not one of this list (`invalid_cursor`, naming `cursor`)',
          problem: true,
        },
      },
      handle: async ({ body, actor }) => {
        const { name, ...filters } = body;
        const page = await deps.lists.casesByName(actor, name, caseFilterOf(filters));
        return { status: 200, body: page };
      },
    }),
    route({
      method: 'get',
      path: '/api/notifications',
      tag: 'lists',
      summary: 'Notifications (reminders, escalations, expiries), newest first, one page at a time.',
      allow: SEES_CASES,
      query: NotificationListQuerySchema,
      responses: {
        200: { description: 'one page; pass nextCursor as cursor for the next', schema: NotificationPageSchema },
      },
      handle: async ({ query, actor }) => ({
        status: 200,
        body: await deps.lists.notifications(actor, {
          caseId: query.caseId,
          agencyId: ownAgencyUnlessOverseeing(actor, query.agencyId),
          limit: query.limit,
          cursor: query.cursor,
        }),
      }),
    }),
  ];
}
