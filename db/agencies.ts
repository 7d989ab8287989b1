/** The organisations that take part in cases: the agencies table is the list of those allowed to act. */
import type { Pool } from 'pg';
import { AGENCY_KINDS, type AgencyKind } from '../domain/types';
import { releaseFoldedReminders } from './notifications';
import { inTransaction, type Queryable } from './pool';
import { zonesCountedIn } from '../core/people-dates';

export interface Agency {
  id: string;
  kind: AgencyKind;
  name: string;
  email: string | null;
  /** IANA name; null: the deployment's `TIMEZONE`. */
  timeZone: string | null;
  /** One email a day at the agency's local morning instead of one per reminder (activities/digest.ts); off by default. */
  dailyDigest: boolean;
}

/**
 * What registering an agency takes: without a time zone, it keeps to the deployment's. The daily digest is a setting
 * of its own (`setDailyDigest`), which saving an agency leaves as it is.
 */
export type NewAgency = Omit<Agency, 'timeZone' | 'dailyDigest'> & Partial<Pick<Agency, 'timeZone'>>;

const COLUMNS = 'id, kind, name, email, time_zone AS "timeZone", daily_digest AS "dailyDigest"';

/** The kinds of the known agencies among these, by id (an unknown id is not in the map): one query for them all. */
export async function agencyKindsOf(pool: Queryable, agencyIds: readonly string[]): Promise<Map<string, AgencyKind>> {
  const { rows } = await pool.query<{ id: string; kind: string }>(
    'SELECT id, kind FROM agencies WHERE id = ANY($1::text[])',
    [agencyIds],
  );
  const kinds = new Map<string, AgencyKind>();
  for (const row of rows) {
    const kind = AGENCY_KINDS.find((known) => known === row.kind);
    if (kind) kinds.set(row.id, kind);
  }
  return kinds;
}

/** The kind of a known agency, or null. */
export async function agencyKindOf(pool: Queryable, agencyId: string): Promise<AgencyKind | null> {
  return (await agencyKindsOf(pool, [agencyId])).get(agencyId) ?? null;
}

/** A known agency, or null. */
export async function findAgency(pool: Queryable, agencyId: string): Promise<Agency | null> {
  const { rows } = await pool.query<Agency>(`SELECT ${COLUMNS} FROM agencies WHERE id = $1`, [agencyId]);
  return rows[0] ?? null;
}

/** Saves each agency whole: a field left out (an address, a time zone) is cleared. */
export async function upsertAgencies(pool: Queryable, agencies: readonly NewAgency[]): Promise<void> {
  await pool.query(
    `INSERT INTO agencies (id, kind, name, email, time_zone)
     SELECT a.id, a.kind, a.name, a.email, a."timeZone"
       FROM jsonb_to_recordset($1::jsonb) AS a(id text, kind text, name text, email text, "timeZone" text)
     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email, time_zone = EXCLUDED.time_zone`,
    [JSON.stringify(agencies)],
  );
}

/**
 * Registers the agencies that are not yet known and leaves the known ones as they are: what an administrator set on
 * them since (an address, a time zone) is kept. For the demo seed, which runs at every start of the service.
 */
export async function insertMissingAgencies(pool: Pool, agencies: readonly NewAgency[]): Promise<void> {
  await pool.query(
    `INSERT INTO agencies (id, kind, name, email, time_zone)
     SELECT a.id, a.kind, a.name, a.email, a."timeZone"
       FROM jsonb_to_recordset($1::jsonb) AS a(id text, kind text, name text, email text, "timeZone" text)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(agencies)],
  );
}

export async function listAgencies(pool: Pool): Promise<Agency[]> {
  const { rows } = await pool.query<Agency>(`SELECT ${COLUMNS} FROM agencies ORDER BY kind, id`);
  return rows;
}

/** The zone each law-enforcement agency works in, $1 (the deployment's TIMEZONE) for one without its own. */
const POLICE_ZONES = `SELECT COALESCE(time_zone, $1) AS zone FROM agencies WHERE kind = 'law_enforcement'`;

/**
 * The zones a deadline may have been counted in: those law enforcement works in, `fallback` (the deployment's
 * TIMEZONE) for an agency without one of its own. A case's identification is read in its police's zone, and the
 * deadlines counted from it end at that zone's midnight, whose last day reads the same for every recipient
 * (core/people-dates.ts `deadlineZone`).
 */
export async function deadlineTimeZones(db: Queryable, fallback: string): Promise<string[]> {
  const { rows } = await db.query<{ zone: string }>(`SELECT DISTINCT zone FROM (${POLICE_ZONES}) p ORDER BY zone`, [
    fallback,
  ]);
  return rows.map((row) => row.zone);
}

/**
 * In one query, the zones law enforcement works in now (`policeNow`, as `deadlineTimeZones`) and every zone a case's
 * deadline may have been counted in (`anyCase`): those and the zones cases were identified in, as the read model
 * keeps them with each case (`cases.identified_in`). Where a police agency has moved since, the zone its past cases'
 * deadlines were counted in is among the latter alone, and a filter of many cases' steps by the last day each shows
 * (the Steps page's due days, web/day-bounds.ts) bounds its days by them all.
 *
 * For GET /api/me, which every console page asks: the identified zones are a few among many cases, read by a "loose
 * index scan" of cases_identified_in_idx, each step one probe for the least zone after the last one found, where a
 * DISTINCT would read every case (test/db/suites/read-plans.ts shows the plan).
 */
export async function deadlineTimeZoneLists(
  db: Queryable,
  fallback: string,
): Promise<{ policeNow: string[]; anyCase: string[] }> {
  const { rows } = await db.query<{ zone: string; policeNow: boolean }>(
    `WITH RECURSIVE identified (zone) AS (
       SELECT min(identified_in) FROM cases
       UNION ALL
       SELECT (SELECT min(c.identified_in) FROM cases c WHERE c.identified_in > identified.zone)
         FROM identified WHERE identified.zone IS NOT NULL
     )
     SELECT zone, bool_or(police_now) AS "policeNow"
       FROM (SELECT zone, true AS police_now FROM (${POLICE_ZONES}) p
             UNION ALL
             SELECT zone, false FROM identified WHERE zone IS NOT NULL) zones
      GROUP BY zone ORDER BY zone`,
    [fallback],
  );
  return {
    policeNow: rows.filter((row) => row.policeNow).map((row) => row.zone),
    anyCase: rows.map((row) => row.zone),
  };
}

/**
 * The zones the deadlines of one case may have been counted in (core/people-dates.ts `zonesCountedIn`): the one its
 * identification was read in, as the read model keeps it with the case, else, for a case that kept none (or one the
 * read model does not hold yet), those law enforcement works in now (`deadlineTimeZones`).
 */
export async function caseDeadlineTimeZones(db: Queryable, caseId: string, fallback: string): Promise<string[]> {
  const { rows } = await db.query<{ zone: string | null }>('SELECT identified_in AS zone FROM cases WHERE id = $1', [
    caseId,
  ]);
  return deadlineTimeZonesOfCase(db, rows[0]?.zone, fallback);
}

/**
 * As `caseDeadlineTimeZones`, for a case already read with the zone it kept (a case view's `identifiedIn`): that zone
 * alone, with no query, else those law enforcement works in now.
 */
export async function deadlineTimeZonesOfCase(
  db: Queryable,
  identifiedIn: string | null | undefined,
  fallback: string,
): Promise<string[]> {
  return zonesCountedIn(identifiedIn, identifiedIn ? [] : await deadlineTimeZones(db, fallback));
}

/**
 * Turns an agency's daily digest on or off; the agency as it now is, or null when there is no such agency. Off, the
 * reminders folded into its digests that were not sent get its address in the same transaction
 * (`releaseFoldedReminders`): a reminder being folded holds the agency's row (activities/notifications.ts), so it is
 * either written before this and released here, or written after and not folded. Their deliveries are started by
 * the caller (app/daily-digests.ts), which may be retried: the address is given once, and a delivery sends once.
 */
export async function setDailyDigest(pool: Pool, agencyId: string, on: boolean): Promise<Agency | null> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Agency>(
      `UPDATE agencies SET daily_digest = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
      [agencyId, on],
    );
    const agency = rows[0];
    // Without an address there is nothing to email: the reminders stay in the app, as the agency's others do.
    const email = agency?.email?.trim();
    if (agency && !on && email) await releaseFoldedReminders(client, agency.id, email);
    return agency ?? null;
  });
}

/** The agencies whose daily digest is on, for the service to keep their digest workflows running. */
export async function agenciesWithDigest(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM agencies WHERE daily_digest ORDER BY id');
  return rows.map((row) => row.id);
}
