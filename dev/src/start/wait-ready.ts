// Waiting for what `npm start` installed: Ready pods by label, and the example cluster's own
// READY column. A timeout lists every pod and the namespace's latest events, which say why.
import { eventually } from '../net.ts';
import type { Kubectl } from './install.ts';

interface Pod {
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}

const ready = (p: Pod) => p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function explain(kubectl: Kubectl, ns: string, e: unknown): Promise<Error> {
  const all = await kubectl(['get', 'pods', '-A', '-o', 'wide']).catch(() => '');
  const events = await kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp']).catch(() => '');
  return new Error(`${(e as Error).message}\n${all}\n${events.split('\n').slice(-25).join('\n')}`, { cause: e });
}

/** Waits until `count` pods matching `selector` in `ns` are Ready. */
export async function readyPods(kubectl: Kubectl, ns: string, selector: string, count: number, timeoutMs: number): Promise<void> {
  try {
    await eventually(`${count} Ready pods ${selector} in ${ns}`, async () => {
      const { items } = JSON.parse(await kubectl(['-n', ns, 'get', 'pods', '-o', 'json', '-l', selector])) as { items: Pod[] };
      return items.filter(ready).length >= count;
    }, timeoutMs, 500);
  } catch (e) {
    throw await explain(kubectl, ns, e);
  }
}

/** Waits until `kubectl get ic NAME` says READY True; returns that row. */
export async function clusterReady(kubectl: Kubectl, ns: string, name: string, timeoutMs: number): Promise<string> {
  try {
    return await eventually(`kubectl get ic ${name} to say READY True`, async () => {
      const [, row] = (await kubectl(['-n', ns, 'get', 'ic', name])).trimEnd().split('\n');
      return row !== undefined && new RegExp(`^${name}\\s+True\\s`).test(row) && row;
    }, timeoutMs, 500);
  } catch (e) {
    throw await explain(kubectl, ns, e);
  }
}
