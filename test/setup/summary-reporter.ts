// Prints one plain closing line ("tests: N passed, N failed, N skipped") that any CI can read.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const m of modules) for (const t of m.children.allTests()) counts[t.result().state]++;
    const failed = counts.failed + errors.length + modules.filter((m) => m.state() === 'failed' && m.children.size === 0).length;
    console.log(`\ntests: ${counts.passed} passed, ${failed} failed, ${counts.skipped + counts.pending} skipped`);
  }
}
