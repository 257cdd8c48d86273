// The install as users run it: `kubectl apply -k .` on a real apiserver, idempotent, with
// exactly the RBAC the controller needs, and the operator pod admitted under "restricted".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { DEFAULT_IMAGE } from '../../src/controller/constants.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { ownImage } from '../../src/controller/runtime/own-image.ts';
import { clusterManifest, pgSecret, quietLog } from '../support/controller.ts';
import { serviceAccountKubeConfig } from '../support/rbac.ts';
import { createNamespace } from '../support/kube.ts';
import { parseAllDocuments } from 'yaml';
import { eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

const repo = new URL('../../', import.meta.url).pathname;
const SA = 'system:serviceaccount:sluice-system:sluice-operator';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** "resource.group" → sorted verbs, from RBAC rules. */
function grants(rules: Rule[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const r of rules)
    for (const g of r.apiGroups)
      for (const res of r.resources) {
        // kubectl prints subresources as "resource.group/sub".
        const [base, sub] = res.split('/');
        const key = `${base}${g ? `.${g}` : ''}${sub ? `/${sub}` : ''}`;
        const set = out.get(key) ?? new Set<string>();
        r.verbs.forEach((v) => set.add(v));
        out.set(key, set);
      }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** Parses `kubectl auth can-i --list` into "resource.group" → sorted verbs (resources only). */
function canIList(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.trim().split('\n').slice(1)) {
    const m = line.match(/^(\S+)\s+\[[^\]]*\]\s+\[[^\]]*\]\s+\[([^\]]*)\]/);
    if (m) out.set(m[1]!, m[2]!.split(/\s+/).filter(Boolean).sort());
  }
  return out;
}

describe('kubectl apply -k .', () => {
  it('installs everything, and applying again changes nothing', async () => {
    const first = await kubectl(['apply', '-k', repo]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('deployment.apps/sluice-operator');
    expect(first.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/ingestionjobs.sluice.dev');
    const diff = await kubectl(['diff', '-k', repo]);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    const second = await kubectlOk(['apply', '-k', repo]);
    expect(second).not.toMatch(/configured|created/);
  });

  it('can switch from client-side to server-side apply (Argo CD with ServerSideApply=true) without conflicts', async () => {
    await kubectlOk(['apply', '-k', repo]);
    const versions = async () => {
      const list = JSON.parse(await kubectlOk(['get', '-k', repo, '-o', 'json'])) as { items: { kind: string; metadata: { name: string; resourceVersion: string } }[] };
      return Object.fromEntries(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
    };
    // Argo CD's manager first, then kubectl's (which also migrates kubectl-client-side-apply's
    // fields to itself); neither may meet a conflict on a value client-side apply left defaulted.
    for (const manager of ['argocd-controller', 'kubectl']) {
      const r = await kubectl(['apply', '--server-side', `--field-manager=${manager}`, '-k', repo]);
      expect(r.code, r.stderr).toBe(0);
    }
    const before = await versions();
    for (const manager of ['argocd-controller', 'kubectl']) await kubectlOk(['apply', '--server-side', `--field-manager=${manager}`, '-k', repo]);
    expect(await versions()).toEqual(before);
  });

  it('grants the operator exactly what the manifests say, and no Secret list/watch', async () => {
    const docs = [
      ...parseAllDocuments(readFileSync(`${repo}manifests/rbac/cluster-role.yaml`, 'utf8')),
      ...parseAllDocuments(readFileSync(`${repo}manifests/rbac/leader-election-role.yaml`, 'utf8')),
      ...parseAllDocuments(readFileSync(`${repo}manifests/rbac/self-role.yaml`, 'utf8')),
    ]
      .map((d) => d.toJS() as { kind: string; rules?: Rule[] })
      .filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    const declared = grants(docs.flatMap((d) => d.rules ?? []));
    // What any authenticated service account may do, to subtract from the listing.
    const baseline = canIList(await kubectlOk(['auth', 'can-i', '--list', '-n', 'sluice-system', '--as=system:serviceaccount:sluice-system:nobody']));
    const actual = canIList(await kubectlOk(['auth', 'can-i', '--list', '-n', 'sluice-system', `--as=${SA}`]));
    for (const k of baseline.keys()) if (!declared.has(k)) actual.delete(k);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(declared));
    for (const verb of ['list', 'watch']) {
      const r = await kubectl(['auth', 'can-i', verb, 'secrets', '-A', `--as=${SA}`]);
      expect(r.stdout.trim(), verb).toBe('no');
    }
    expect((await kubectl(['auth', 'can-i', 'update', 'leases.coordination.k8s.io', '-n', 'default', `--as=${SA}`])).stdout.trim()).toBe('no');
    // Its own pod is read by name in its own namespace only.
    expect((await kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'default', `--as=${SA}`])).stdout.trim()).toBe('no');
  });

  it('names the image in one place, so one image setting moves the operator and every pod it runs', async () => {
    const overlay = mkdtempSync(join(tmpdir(), 'sluice-overlay-'));
    try {
      writeFileSync(
        join(overlay, 'kustomization.yaml'),
        // kustomize takes a base outside the overlay only by a relative path.
        `resources: [${JSON.stringify(relative(overlay, repo))}]\nimages:\n  - name: ghcr.io/sluice-dev/sluice\n    newName: registry.test/sluice\n    newTag: "2.0"\n`,
      );
      const out = await kubectlOk(['kustomize', overlay]);
      expect(out).not.toContain('ghcr.io/sluice-dev/sluice');
      const operator = parseAllDocuments(out)
        .map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { template?: { spec?: { containers: { name: string; image: string; env?: { name: string }[] }[] } } } })
        .find((d) => d.kind === 'Deployment' && d.metadata.name === 'sluice-operator')!;
      const [container] = operator.spec!.template!.spec!.containers;
      expect(container!.image).toBe('registry.test/sluice:2.0');
      // What its children run comes from its pod, which it finds by these.
      expect(container!.env?.map((e) => e.name)).toEqual(expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE']));
      expect(container!.env?.map((e) => e.name)).not.toContain('SLUICE_IMAGE');
    } finally {
      rmSync(overlay, { recursive: true, force: true });
    }
  });

  it('runs the operator pods under Pod Security "restricted"', async () => {
    const apps = kubeConfig().makeApiClient(AppsV1Api);
    const rs = await eventually('the operator ReplicaSet', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: 'sluice-system' });
      return list.items.find((r) => r.metadata?.name?.startsWith('sluice-operator-') && r.status?.observedGeneration);
    });
    await new Promise((r) => setTimeout(r, 1000));
    const fresh = await apps.readNamespacedReplicaSet({ namespace: 'sluice-system', name: rs.metadata!.name! });
    expect(fresh.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).toBeUndefined();
    expect(fresh.status?.replicas).toBe(2);
  });
});

describe('the operator with only its own RBAC', () => {
  it('reconciles a cluster, elects a leader and writes status, with no 403', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const kc = await serviceAccountKubeConfig('sluice-system', 'sluice-operator');
    const ns = await createNamespace('rbac');
    const lines: string[] = [];
    // Cluster-wide, as installed. It also meets other test files' clusters, some in terminating
    // namespaces (a 403 that is not RBAC), so only RBAC denials count below.
    // The image as the operator learns it in its pod: an installed operator pod (never scheduled
    // here), read with the operator's own rights.
    const installed = await eventually('an operator pod', async () => (await core.listNamespacedPod({ namespace: 'sluice-system', labelSelector: 'app.kubernetes.io/component=operator' })).items[0]);
    const image = await ownImage(kc, 'sluice-system', installed.metadata!.name!);
    expect(image).toBe(DEFAULT_IMAGE);
    const m = createOperator({ kc, log: quietLog(lines), httpPort: 0, httpHost: '127.0.0.1', image, leaderElection: { namespace: 'sluice-system', name: `rbac-test-${ns.name}` } });
    try {
      await m.start();
      await kubectlOk(['apply', '-n', ns.name, '-f', '-'], pgSecret('r'));
      await kubectlOk(['apply', '-n', ns.name, '-f', '-'], clusterManifest('r'));
      const ic = await eventually('status written by the operator', async () => {
        const c = JSON.parse(await kubectlOk(['get', 'ic', 'r', '-n', ns.name, '-o', 'json']));
        return c.status?.observedGeneration === c.metadata.generation ? c : undefined;
      });
      expect(ic.status.conditions.find((c: { type: string }) => c.type === 'Degraded').status).toBe('False');
      await eventually('events recorded', async () => (await core.listNamespacedEvent({ namespace: ns.name })).items.length > 0 || undefined).catch(() => undefined);
      expect(lines.filter((l) => /cannot (get|list|watch|create|patch|update|delete)/.test(l))).toEqual([]);
      expect(m.isLeader).toBe(true);
    } finally {
      await m.stop();
      await ns.remove();
    }
  });
});
