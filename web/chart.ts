/** A horizontal bar chart of pending and overdue steps per kind, laid out here and drawn as SVG by the template. */
import { stepLabel } from './labels';

interface ChartRow {
  label: string;
  pending: number;
  overdue: number;
  y: number;
  pendingWidth: number;
  overdueWidth: number;
}

export interface Chart {
  rows: ChartRow[];
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
}

const LABEL_WIDTH = 280;
const BAR_AREA = 320;
const ROW = 44;
const BAR = 16;

export function stepKindChart(byKind: readonly { kind: string; pending: number; overdue: number }[]): Chart {
  const max = Math.max(1, ...byKind.map((row) => row.pending));
  const scale = (count: number) => Math.round((count / max) * BAR_AREA);
  return {
    rows: byKind.map((row, index) => ({
      label: stepLabel(row.kind),
      pending: row.pending,
      overdue: row.overdue,
      y: index * ROW + 8,
      pendingWidth: Math.max(scale(row.pending), row.pending > 0 ? 2 : 0),
      overdueWidth: Math.max(scale(row.overdue), row.overdue > 0 ? 2 : 0),
    })),
    width: LABEL_WIDTH + BAR_AREA + 120,
    height: byKind.length * ROW + 16,
    labelWidth: LABEL_WIDTH,
    barHeight: BAR,
  };
}
