/**
 * Work lists across cases, straight from the read model: the caseload, pending or overdue steps, notifications, and the dashboard's
 * counts over the same steps. The routes decide which agency's items an actor may ask for (api/routes/lists.ts).
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import { listCases, type CaseFilter } from '../db/case-list';
import { dashboardCounts, openEscalations } from '../db/dashboard';
import { listNotifications, type NotificationFilter } from '../db/notifications';
import { countSteps, InvalidCursorError, listSteps, type StepFilter } from '../db/read-model';
import { identityStepAgency, seenStepsAgency, works } from '../domain/access';
import { BIRTH_DATE_SUBJECTS } from '../domain/alarms';
import { passedNoticeWithoutBirthday } from '../mail/render';
import type { Actor } from '../domain/types';
import type { Clock } from '../core/clock';
import type { IdentityKeyring } from '../core/identity-cipher';
import { nameSearchTerms } from '../core/name-index';
import { cursorKeys, openCursor, signCursor, type CursorList, type ListScope } from '../core/list-cursor';

const SOON_MS = 7 * 24 * 3600 * 1000;
/** The dashboard lists this many open escalations at most, newest first. */
const MAX_ESCALATIONS = 100;

export interface ListsDeps {
  pool: Pool;
  /** For "overdue" and "due soon": the service's clock (app/services.ts). */
  now: Clock;
  /** Derives the name index's keys (core/name-index.ts); without it, the development-only plain-text key. */
  identityKeyring?: IdentityKeyring;
}

/**
 * A cursor of another list, or tampered with, is the client's error: in a query string a bad request (400), as any
 * bad query parameter is; in a body (the name search's) an unprocessable one (422), as any bad body field is.
 */
const refusedCursor =
  (sentIn: 'query' | 'body') =>
  (error: unknown): never => {
    if (error instanceof InvalidCursorError) {
      throw new AppError(sentIn === 'query' ? 'bad_request' : 'unprocessable', error.message, {
        code: 'invalid_cursor',
        fields: [{ field: 'cursor', message: 'not a cursor of this list' }],
      });
    }
    throw error;
  };

export type ListsService = ReturnType<typeof createListsService>;

/**
 * A cursor of this list handed out with other filters or another sort: its position is no place in the list asked
 * for now, whose page after it would be the next of nothing. Refused as a foreign cursor is, saying why.
 */
function otherScope(sentIn: 'query' | 'body'): AppError {
  return new AppError(
    sentIn === 'query' ? 'bad_request' : 'unprocessable',
    'The cursor was handed out with other filters or another sort: the filters or sort changed since its page.',
    {
      code: 'invalid_cursor',
      fields: [
        {
          field: 'cursor',
          message:
            'the filters or sort changed since this cursor was handed out: send the same ones, or start again without a cursor',
        },
      ],
    },
  );
}

/**
 * One page of `list` read with `filters` (its filters and sort, and the `cursor` and `limit` of the page): the cursor
 * opened (its HMAC checked, core/list-cursor.ts) before `read` queries with its position, and the next page's position
 * signed, bound to the same filters and sort (`canonicalScope`: all of `filters` but `cursor` and `limit`). A cursor
 * the service did not make never reaches a query, and one handed out with other filters or another sort is refused.
 * Every paged list goes through it: the work lists here, the audit trail, and a user's tokens and calendar feeds.
 */
export async function pagedList<Page extends { nextCursor: string | null }>(
  keys: readonly Buffer[],
  list: CursorList,
  filters: ListScope & { cursor?: string },
  sentIn: 'query' | 'body',
  read: (position: string | undefined) => Promise<Page>,
): Promise<Page> {
  try {
    const opened = filters.cursor === undefined ? undefined : openCursor(keys, list, filters, filters.cursor);
    if (opened && 'refused' in opened) {
      if (opened.refused === 'other_scope') throw otherScope(sentIn);
      throw new InvalidCursorError();
    }
    const page = await read(opened?.position);
    const next = page.nextCursor === null ? null : signCursor(keys, list, filters, page.nextCursor);
    return { ...page, nextCursor: next };
  } catch (error) {
    return refusedCursor(sentIn)(error);
  }
}

export function createListsService(deps: ListsDeps) {
  const keys = cursorKeys(deps.identityKeyring);
  const paged = <Page extends { nextCursor: string | null }>(
    list: CursorList,
    filters: ListScope & { cursor?: string },
    sentIn: 'query' | 'body',
    read: (position: string | undefined) => Promise<Page>,
  ) => pagedList(keys, list, filters, sentIn, read);
  const cases = async (
    actor: Actor,
    filter: Omit<CaseFilter, 'participantAgencyId' | 'stepAgencyId' | 'now'>,
    cursorSentIn: 'query' | 'body' = 'query',
  ) => {
    const now = await deps.now();
    // Filtered and counted over the steps the actor sees, as the case itself shows them (domain/access.ts).
    const stepAgencyId = seenStepsAgency(actor);
    return paged('cases', filter, cursorSentIn, (cursor) =>
      listCases(deps.pool, { ...filter, cursor, participantAgencyId: actor.agencyId, stepAgencyId, now }),
    );
  };
  return {
    /** Steps of the cases the actor's agency takes part in; `agencyId` narrows them to one agency's. */
    async steps(actor: Actor, filter: Omit<StepFilter, 'participantAgencyId' | 'now' | 'soonUntil'>) {
      const now = await deps.now();
      const soonUntil = new Date(now.getTime() + SOON_MS);
      return paged('steps', filter, 'query', (cursor) =>
        listSteps(deps.pool, { ...filter, cursor, participantAgencyId: actor.agencyId, now, soonUntil }),
      );
    },

    /**
     * How many steps `steps` lists with the same filter, all of them, as of now: the inbox's count of its overdue
     * steps, which reads only that (the dashboard's counts and escalations are the dashboard's).
     */
    async stepCount(actor: Actor, filter: Pick<StepFilter, 'status' | 'agencyId' | 'kind'>) {
      const now = await deps.now();
      const soonUntil = new Date(now.getTime() + SOON_MS);
      return { count: await countSteps(deps.pool, { ...filter, participantAgencyId: actor.agencyId, now, soonUntil }) };
    },

    /**
     * The cases the actor's agency takes part in, newest first; their step filters (track, pendingKind, overdue) and
     * counts are over the steps the actor sees.
     */
    cases,

    /**
     * The cases of `cases` whose survivor's name has every token of `name` (exact tokens, any order, diacritics and
     * case ignored). The route lets only identity readers call it (domain/access.ts `searchesByName`).
     */
    async casesByName(
      actor: Actor,
      name: string,
      filter: Omit<CaseFilter, 'participantAgencyId' | 'stepAgencyId' | 'now' | 'nameTerms' | 'identityStepAgencyId'>,
    ) {
      const nameTerms = nameSearchTerms(name, deps.identityKeyring);
      if (nameTerms.length === 0) {
        // As the body's own validation answers (422): the name is well-formed JSON but nothing to search for.
        throw new AppError('unprocessable', 'The name has no letters or digits to search for.', {
          code: 'invalid_name',
          fields: [{ field: 'name', message: 'must contain a letter or a digit' }],
        });
      }
      // Only the cases whose identity the actor reads: an ICE or HHS officer's once a request reached their agency.
      return cases(actor, { ...filter, nameTerms, identityStepAgencyId: identityStepAgency(actor) }, 'body');
    },

    async notifications(actor: Actor, filter: Omit<NotificationFilter, 'participantAgencyId'>) {
      // A minor's 18th-birthday reminders exist only for who may read the identity they derive from (case-reads.ts).
      const readsIdentity = works(actor);
      const withoutSubjects = readsIdentity ? [] : [...BIRTH_DATE_SUBJECTS];
      const page = await paged('notifications', filter, 'query', (cursor) =>
        listNotifications(deps.pool, { ...filter, cursor, participantAgencyId: actor.agencyId, withoutSubjects }),
      );
      if (readsIdentity) return page;
      // So are their lines in a notice of what passed, which lists them with the other reminders of its case.
      const items = page.items.flatMap((item) => {
        const shown = item.kind === 'passed_summary' ? passedNoticeWithoutBirthday(item) : item;
        return shown ? [shown] : [];
      });
      return { ...page, items };
    },

    /** Counts of pending, soon-due and overdue steps over the steps `steps` lists, as of now. */
    async dashboard(actor: Actor, agencyId: string | undefined) {
      const at = await deps.now();
      const [found, escalations] = await Promise.all([
        dashboardCounts(deps.pool, {
          participantAgencyId: actor.agencyId,
          agencyId,
          now: at,
          soonUntil: new Date(at.getTime() + SOON_MS),
        }),
        openEscalations(deps.pool, {
          recipientAgencyId: actor.agencyId,
          participantAgencyId: actor.agencyId,
          // One more than listed: whether there are more.
          limit: MAX_ESCALATIONS + 1,
          now: at,
        }),
      ]);
      return {
        asOf: at.toISOString(),
        ...found,
        escalations: escalations.slice(0, MAX_ESCALATIONS),
        escalationsMore: escalations.length > MAX_ESCALATIONS,
      };
    },
  };
}
