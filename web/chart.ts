/** Horizontal bar charts of two series per row, laid out here and drawn as SVG by `views/bar-chart.eta`. */

/** Two bars per row: the first series solid, the second hatched, as the page's legend says. */
interface PairRow {
  /**
   * The row's label on at most two lines: SVG text does not wrap, and a long name would run off the chart. A line
   * that starts a new word begins with a space, so the text read out or copied has "request for evidence", not
   * "request forevidence" (a line that continues a cut word has none); the end-anchored line shows it at its left.
   */
  labelLines: string[];
  first: number;
  second: number;
  y: number;
  firstWidth: number;
  secondWidth: number;
}

export interface Chart {
  rows: PairRow[];
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
}

const LABEL_WIDTH = 280;
/** What fits in LABEL_WIDTH at the chart's 13px type, with room to spare for wide letters. */
const LABEL_LINE_CHARACTERS = 36;
const BAR_AREA = 320;
const ROW = 44;
const BAR = 16;

/**
 * Breaks a label into at most two lines that fit the label area, before its parenthesis if it has one ("(Form
 * I-914)" stays whole), else at its last space that fits; what still does not fit ends in "…" (the table under every
 * chart gives the full name).
 */
export function labelLines(label: string, perLine = LABEL_LINE_CHARACTERS): string[] {
  const lines: string[] = [];
  let rest = label.trim();
  while (rest.length > perLine && lines.length < 1) {
    const parenthesis = rest.indexOf(' (');
    const space = parenthesis > 0 && parenthesis <= perLine ? parenthesis : rest.lastIndexOf(' ', perLine);
    const cut = space > 0 ? space : perLine;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest.length > perLine ? `${rest.slice(0, perLine - 1).trimEnd()}…` : rest);
  return lines;
}

/** The lines with a space where the label had one between them (see PairRow.labelLines). */
function spacedLines(label: string, lines: readonly string[]): string[] {
  let read = '';
  return lines.map((line, index) => {
    const wordStarts = index > 0 && label.trim().startsWith(`${read} ${line.replace(/…$/, '')}`);
    read += wordStarts ? ` ${line}` : line;
    return wordStarts ? ` ${line}` : line;
  });
}

/** Both series on one scale, the longest bar filling the area; a non-zero value is never drawn invisibly thin. */
export function pairedBarChart(input: readonly { label: string; first: number; second: number }[]): Chart {
  const max = Math.max(1, ...input.flatMap((row) => [row.first, row.second]));
  const width = (count: number) => Math.max(Math.round((count / max) * BAR_AREA), count > 0 ? 2 : 0);
  return {
    rows: input.map((row, index) => ({
      labelLines: spacedLines(row.label, labelLines(row.label)),
      first: row.first,
      second: row.second,
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
