// One informer over several namespaces' watches: reads route by namespace, events come from all.
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Informer } from '../../src/controller/runtime/informer.ts';
import { NamespacedInformers } from '../../src/controller/runtime/namespaced-informers.ts';

function fake(namespace: string, names: string[], healthy = true): Informer<KubernetesObject> & { fire(o: KubernetesObject): void; started: boolean } {
  const objs = names.map((name) => ({ metadata: { name, namespace } }));
  const handlers: ((o: KubernetesObject) => void)[] = [];
  return {
    started: false,
    on: (_verb, cb) => void handlers.push(cb),
    fire: (o) => handlers.forEach((h) => h(o)),
    get: (name) => objs.find((o) => o.metadata.name === name),
    list: () => objs,
    isHealthy: healthy,
    isNotServed: false,
    async start() {
      this.started = true;
    },
    stop: async () => undefined,
  };
}

describe('NamespacedInformers', () => {
  const a = fake('team-a', ['docs', 'web']);
  const b = fake('team-b', ['docs']);
  const inf = new NamespacedInformers(new Map([['team-a', a], ['team-b', b]]));

  it('reads one namespace by name, or all of them', () => {
    expect(inf.get('docs', 'team-b')?.metadata?.namespace).toBe('team-b');
    expect(inf.get('web', 'team-b')).toBeUndefined();
    expect(inf.get('docs', 'elsewhere')).toBeUndefined();
    expect(inf.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['team-a/docs', 'team-a/web', 'team-b/docs']);
    expect(inf.list('team-a')).toHaveLength(2);
    expect(inf.list('elsewhere')).toEqual([]);
  });

  it('passes on the events of every namespace, and starts every watch', async () => {
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(o.metadata!.namespace!));
    a.fire({ metadata: { namespace: 'team-a' } });
    b.fire({ metadata: { namespace: 'team-b' } });
    expect(seen).toEqual(['team-a', 'team-b']);
    await inf.start();
    expect([a.started, b.started]).toEqual([true, true]);
  });

  it('is healthy only while every namespace is', () => {
    expect(inf.isHealthy).toBe(true);
    expect(new NamespacedInformers(new Map([['team-a', a], ['team-c', fake('team-c', [], false)]])).isHealthy).toBe(false);
  });
});
