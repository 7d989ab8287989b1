/** The dashboard's counts of pending steps, from the read model, scoped exactly as the step list is. */
import type { Pool } from 'pg';
import type { AgencyKind, StepKind } from '../domain/types';
import { dueSoonSql, overdueSql } from './overdue';

export interface DashboardScope {
  /** Only cases this agency takes part in. */
  participantAgencyId: string;
  /** Only steps this agency owns (an officer's own), or every agency's when undefined. */
  agencyId?: string;
  now: Date;
  /** "Due soon" means due from `now` up to this instant, not yet overdue. */
  soonUntil: Date;
}

interface StepCounts {
  pending: number;
  dueSoon: number;
  overdue: number;
}

export interface DashboardCounts {
  totals: StepCounts;
  byKind: (StepCounts & { kind: StepKind })[];
  byAgency: (StepCounts & { agencyId: string | null; agencyKind: AgencyKind })[];
}

interface CountRow {
  kind: StepKind;
  agency_id: string | null;
  agency_kind: AgencyKind;
  pending: string;
  due_soon: string;
  overdue: string;
}

const zero = (): StepCounts => ({ pending: 0, dueSoon: 0, overdue: 0 });

function add(into: StepCounts, row: CountRow): void {
  into.pending += Number(row.pending);
  into.dueSoon += Number(row.due_soon);
  into.overdue += Number(row.overdue);
}

/** One grouped query; the totals and both breakdowns are sums of its rows. */
export async function dashboardCounts(pool: Pool, scope: DashboardScope): Promise<DashboardCounts> {
  const values: unknown[] = [scope.now, scope.soonUntil, scope.participantAgencyId];
  const ownAgency = scope.agencyId === undefined ? '' : `AND s.agency_id = $${values.push(scope.agencyId)}`;
  const { rows } = await pool.query<CountRow>(
    `SELECT s.kind, s.agency_id, s.agency_kind,
            count(*) AS pending,
            count(*) FILTER (WHERE ${dueSoonSql('$1', '$2')}) AS due_soon,
            count(*) FILTER (WHERE ${overdueSql('$1')}) AS overdue
     FROM case_steps s JOIN cases c ON c.id = s.case_id
     WHERE s.status = 'pending' AND c.agency_ids @> ARRAY[$3::text] ${ownAgency}
     GROUP BY s.kind, s.agency_id, s.agency_kind
     ORDER BY s.kind, s.agency_id`,
    values,
  );

  const totals = zero();
  const byKind = new Map<StepKind, StepCounts & { kind: StepKind }>();
  const byAgency = new Map<string, StepCounts & { agencyId: string | null; agencyKind: AgencyKind }>();
  for (const row of rows) {
    add(totals, row);
    const kind = byKind.get(row.kind) ?? { kind: row.kind, ...zero() };
    add(kind, row);
    byKind.set(row.kind, kind);
    const agencyKey = `${row.agency_kind}/${row.agency_id ?? ''}`;
    const agency = byAgency.get(agencyKey) ?? { agencyId: row.agency_id, agencyKind: row.agency_kind, ...zero() };
    add(agency, row);
    byAgency.set(agencyKey, agency);
  }
  return { totals, byKind: [...byKind.values()], byAgency: [...byAgency.values()] };
}

/** An escalation to an agency whose step is still open: resolved ones (the step signed or closed) leave the list. */
export interface OpenEscalation {
  caseId: string;
  reference: string;
  stepId: string;
  stepKind: StepKind;
  /** When the escalation was raised. */
  raisedAt: string;
  dueAt: string | null;
  /** Whether that deadline is a day, met all of its last day wherever in the US it is read (domain/types.ts). */
  dueOnADay: boolean;
  /** The zone the case was identified in (`cases.identified_in`), where its deadline's last day is read. */
  caseIdentifiedIn: string | null;
  /** Whether its step is overdue at `now` (`overdueSql`), as the counts say it. */
  overdue: boolean;
}

/** The open escalations to `recipientAgencyId` in cases `participantAgencyId` takes part in, newest first. */
export async function openEscalations(
  pool: Pool,
  scope: { recipientAgencyId: string; participantAgencyId: string; limit: number; now: Date },
): Promise<OpenEscalation[]> {
  const { rows } = await pool.query<{
    case_id: string;
    reference: string;
    step_id: string;
    step_kind: StepKind;
    created_at: Date;
    due_at: Date | null;
    due_on_a_day: boolean;
    identified_in: string | null;
    overdue: boolean;
  }>(
    `SELECT n.case_id, n.reference, n.step_id, s.kind AS step_kind, n.created_at, s.due_at, s.due_on_a_day,
            c.identified_in, ${overdueSql('$4::timestamptz')} AS overdue
     FROM notifications n
     JOIN case_steps s ON s.case_id::text = n.case_id AND s.step_id = n.step_id
     JOIN cases c ON c.id = s.case_id
     WHERE n.kind = 'escalation' AND n.recipient_agency_id = $1 AND s.status = 'pending'
       AND c.status = 'open' AND c.agency_ids @> ARRAY[$2::text]
     ORDER BY n.created_at DESC, n.id
     LIMIT $3`,
    [scope.recipientAgencyId, scope.participantAgencyId, scope.limit, scope.now],
  );
  return rows.map((row) => ({
    caseId: row.case_id,
    reference: row.reference,
    stepId: row.step_id,
    stepKind: row.step_kind,
    raisedAt: row.created_at.toISOString(),
    dueAt: row.due_at ? row.due_at.toISOString() : null,
    dueOnADay: row.due_on_a_day,
    caseIdentifiedIn: row.identified_in,
    overdue: row.overdue,
  }));
}
