/** Horizontal bar charts of two series per row, laid out here and drawn as SVG by the templates. */
import { stepLabel } from './labels';

interface ChartRow {
  label: string;
  pending: number;
  overdue: number;
  y: number;
  pendingWidth: number;
  overdueWidth: number;
}

export interface Chart<Row = ChartRow> {
  rows: Row[];
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
}

/** Two bars per row: the first series solid, the second hatched, as the dashboard's legend says. */
interface PairRow {
  label: string;
  first: number;
  second: number;
  y: number;
  firstWidth: number;
  secondWidth: number;
}

const LABEL_WIDTH = 280;
const BAR_AREA = 320;
const ROW = 44;
const BAR = 16;

/** Both series on one scale, the longest bar filling the area; a non-zero value is never drawn invisibly thin. */
export function pairedBarChart(input: readonly { label: string; first: number; second: number }[]): Chart<PairRow> {
  const max = Math.max(1, ...input.flatMap((row) => [row.first, row.second]));
  const width = (count: number) => Math.max(Math.round((count / max) * BAR_AREA), count > 0 ? 2 : 0);
  return {
    rows: input.map((row, index) => ({
      ...row,
      y: index * ROW + 8,
      firstWidth: width(row.first),
      secondWidth: width(row.second),
    })),
    width: LABEL_WIDTH + BAR_AREA + 120,
    height: input.length * ROW + 16,
    labelWidth: LABEL_WIDTH,
    barHeight: BAR,
  };
}

/** The dashboard's pending and overdue steps per kind (overdue steps are among the pending). */
export function stepKindChart(byKind: readonly { kind: string; pending: number; overdue: number }[]): Chart {
  const chart = pairedBarChart(
    byKind.map((row) => ({ label: stepLabel(row.kind), first: row.pending, second: row.overdue })),
  );
  return {
    ...chart,
    rows: chart.rows.map((row) => ({
      label: row.label,
      pending: row.first,
      overdue: row.second,
      y: row.y,
      pendingWidth: row.firstWidth,
      overdueWidth: row.secondWidth,
    })),
  };
}
