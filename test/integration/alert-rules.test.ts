// Sluice's alerts in Prometheus's own rule checker and rule unit tests (promtool, built from the
// Go module proxy): the rules parse and their templates compile, and each alert fires on the
// series that should raise it and clears once they recover. The unit tests leave annotations out
// of the rules they load: promtool compares expanded annotations verbatim, and `check rules`
// already compiles their templates.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ensurePromtool } from '@sluice/devenv/prometheus';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../../src/monitoring/alert-thresholds.ts';
import { alertRules } from '../../src/monitoring/prometheus-rule.ts';
import { ALERT_CASES, type AlertCase } from './support/alert-cases.ts';

const run = promisify(execFile);
let promtool: string;
let dir: string;

beforeAll(async () => {
  promtool = await ensurePromtool();
  dir = mkdtempSync(join(tmpdir(), 'sluice-rules-'));
}, 40 * 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the rules for `thresholds` (with or without annotations) and returns the file. */
function rulesFile(name: string, thresholds: AlertThresholds, annotations: boolean): string {
  const rules = alertRules(thresholds).map(({ annotations: a, ...r }) => (annotations ? { ...r, annotations: a } : r));
  const file = join(dir, name);
  writeFileSync(file, stringify({ groups: [{ name: 'sluice', rules }] }));
  return file;
}

/** Runs promtool's unit tests of `cases` against `rules`; its output. */
async function promtoolTest(rules: string, cases: readonly AlertCase[]): Promise<string> {
  const file = join(dir, `tests-${Date.now()}.yaml`);
  writeFileSync(
    file,
    stringify({
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: cases.map((c) => ({
        name: c.name,
        interval: '1m',
        input_series: c.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: c.expect.map(([minutes, labels]) => ({ eval_time: `${minutes}m`, alertname: c.alert, exp_alerts: labels.map((l) => ({ exp_labels: { ...l, severity: c.severity } })) })),
      })),
    }),
  );
  const { stdout, stderr } = await run(promtool, ['test', 'rules', file]).catch((err: { stdout: string; stderr: string }) => {
    throw new Error(`promtool test rules failed:\n${err.stdout}\n${err.stderr}`);
  });
  return stdout + stderr;
}

describe('the alerts', () => {
  it('pass promtool check rules, templates included', async () => {
    const { stdout } = await run(promtool, ['check', 'rules', rulesFile('rules.yaml', DEFAULT_ALERT_THRESHOLDS, true)]);
    expect(stdout).toMatch(new RegExp(`SUCCESS: ${alertRules(DEFAULT_ALERT_THRESHOLDS).length} rules found`));
  });

  it('each fire on the series that should raise them and clear when those recover', async () => {
    const names = alertRules(DEFAULT_ALERT_THRESHOLDS).map((r) => r.alert);
    for (const alert of names) {
      const checks = ALERT_CASES.filter((c) => c.alert === alert).flatMap((c) => c.expect);
      expect(checks.some(([, firing]) => firing.length > 0), `${alert} fires in some case`).toBe(true);
      expect(checks.some(([, firing]) => firing.length === 0), `${alert} is quiet in some case`).toBe(true);
    }
    expect(await promtoolTest(rulesFile('bare.yaml', DEFAULT_ALERT_THRESHOLDS, false), ALERT_CASES)).toMatch(/SUCCESS/);
  });

  it('follow their thresholds: a failure share under a raised threshold does not fire', async () => {
    const failures = ALERT_CASES.find((c) => c.alert === 'SluiceDocumentFailures')!;
    const raised = rulesFile('raised.yaml', { ...DEFAULT_ALERT_THRESHOLDS, documentFailureRatio: 0.5 }, false);
    const quiet = { ...failures, name: `${failures.name}, threshold 0.5`, expect: failures.expect.map(([minutes]) => [minutes, []] as const) };
    expect(await promtoolTest(raised, [quiet])).toMatch(/SUCCESS/);
  });
});
