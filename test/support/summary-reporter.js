/**
 * Ends the run with one plain line, "jest: N passed, N failed", that CI reads whatever the test runner.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suffix = skipped ? `, ${skipped} skipped` : '';
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${suffix}\n`);
  }
}
module.exports = SummaryReporter;
