// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time by where the code lives, so a
// benchmark can say which library a process's CPU went to.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code is: a package, a project file, node's own code, or V8's (GC, idle, program). */
function place(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return `(${functionName || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const src = /\/(src|bench|test)\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url;
}

/** Self time in ms by place, largest first, and the profile's total. */
export function selfTimeByPlace(file: string): { total: number; rows: [string, number][] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === '(idle)') return;
    const key = place(node.callFrame);
    ms.set(key, (ms.get(key) ?? 0) + dt);
    total += dt;
  });
  return { total, rows: [...ms].sort((a, b) => b[1] - a[1]) };
}
