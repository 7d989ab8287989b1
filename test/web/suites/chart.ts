/**
 * The console's bar charts (web/chart.ts): SVG text does not wrap, so a long label is broken into two lines that fit
 * the label area (before a parenthesis, if it has one), and cut with "…" only past that. The dashboard's longest step kind once ran off the chart's left edge.
 */
import { stepLabel } from '../../../web/labels';
import { labelLines, pairedBarChart } from '../../../web/chart';

describe('chart', () => {
  test('a label that fits stays on one line', () => {
    expect(labelLines('Continued Presence decision')).toEqual(['Continued Presence decision']);
  });

  test('a long label breaks before its parenthesis, which stays whole', () => {
    const label = stepLabel('le_declaration');
    expect(label.length).toBeGreaterThan(36);
    expect(labelLines(label)).toEqual(['Law-enforcement declaration', '(Form I-914, Supplement B)']);
  });

  test('without a parenthesis, a long label breaks at its last space that fits', () => {
    expect(labelLines('Demo ICE HSI Center for Countering Human Trafficking')).toEqual([
      'Demo ICE HSI Center for Countering',
      'Human Trafficking',
    ]);
  });

  test('what does not fit on two lines ends in an ellipsis', () => {
    const lines = labelLines('Demo ICE HSI Center for Countering Human Trafficking and Smuggling Cases (fictitious)');
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.length <= 36)).toBe(true);
    expect(lines[1]).toMatch(/…$/);
  });

  test('a word longer than a line is cut, not lost', () => {
    expect(labelLines('x'.repeat(50))).toEqual(['x'.repeat(36), 'x'.repeat(14)]);
  });

  test('both series share one scale, and a non-zero count is never invisibly thin', () => {
    const chart = pairedBarChart([
      { label: 'a', first: 100, second: 1 },
      { label: 'b', first: 50, second: 0 },
    ]);
    expect(chart.rows.map((row) => [row.firstWidth, row.secondWidth])).toEqual([
      [320, 3],
      [160, 0],
    ]);
  });

  test("a wrapped label's text reads with the space it had between its lines, and none inside a cut word", () => {
    const chart = pairedBarChart(
      ['T visa response to request for evidence', 'Demo Survivor Legal Advocates (fictitious)', 'x'.repeat(50)].map(
        (label) => ({ label, first: 1, second: 0 }),
      ),
    );
    // SVG's text as it is read out or copied: its lines (tspans) joined as they stand.
    expect(chart.rows.map((row) => row.labelLines.join(''))).toEqual([
      'T visa response to request for evidence',
      'Demo Survivor Legal Advocates (fictitious)',
      'x'.repeat(50),
    ]);
    expect(chart.rows.map((row) => row.labelLines.length)).toEqual([2, 2, 2]);
  });
});
