// The operator's memory depends on its Node flags, so bench:controller must run it with the
// flags it ships with: those of its Deployment, which runs the image's entry point with them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployedNodeFlags } from '../../bench/operator.ts';
import { finalStage } from '@sluice/devenv/images/dockerfile';

type Container = { name: string; command?: string[]; args?: string[]; env?: { name: string }[] };
const deployment = parse(readFileSync(new URL('../../manifests/manager/deployment.yaml', import.meta.url), 'utf8')) as {
  spec: { template: { spec: { containers: Container[] } } };
};
const operator = deployment.spec.template.spec.containers.find((c) => c.name === 'operator')!;
const image = finalStage(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'));

describe("the operator's Node flags", () => {
  it('are what the Deployment puts between node and the image entry point, with the image command', () => {
    const [node, ...script] = image.entrypoint!;
    expect(node).toBe('node');
    expect(operator.command).toEqual([node, ...deployedNodeFlags(), ...script]);
    expect(operator.args).toEqual(image.cmd);
    expect(deployedNodeFlags().length).toBeGreaterThan(0);
  });

  it('are all flags, and ones this Node accepts', () => {
    const flags = deployedNodeFlags();
    expect(flags.every((f) => f.startsWith('--'))).toBe(true);
    const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('are not also set elsewhere, where the benchmark would not see them', () => {
    expect((operator.env ?? []).map((e) => e.name)).not.toContain('NODE_OPTIONS');
    expect(image.env.NODE_OPTIONS).toBeUndefined();
  });
});
