// The node's network state on the host: the pods' bridge and its veths, the void route, kube-proxy's
// nft tables, the kubelet's and CNI plugins' iptables chains, kube-router's ipsets. Each removal
// tolerates what is already gone.
import { run } from '../run.ts';
import { BRIDGE, TEST_RANGE, VOID_DEVICE } from './config.ts';

async function tryRun(cmd: string, args: string[]) {
  return run(cmd, args).catch(() => undefined);
}

const ourChain = (chain: string) => /^(KUBE|CNI)-/.test(chain);
const ourIpset = (name: string) => /^(inet6:)?(TMP-)?KUBE-/.test(name);

/** Links of the node: the bridge, the void device, and the pods' veths still attached to the bridge. */
export async function nodeLinks(): Promise<string[]> {
  const listed = await tryRun('ip', ['-j', 'link', 'show']);
  if (!listed) return [];
  const links = JSON.parse(listed.stdout) as { ifname: string; master?: string }[];
  return links.filter((l) => l.ifname.startsWith('sluice') || l.master === BRIDGE).map((l) => l.ifname);
}

/** Veths first: a pod's veth outlives the bridge it was attached to while its namespace lives. */
export async function removeLinks(): Promise<void> {
  const links = await nodeLinks();
  for (const link of links.filter((l) => l !== BRIDGE && l !== VOID_DEVICE)) await tryRun('ip', ['link', 'delete', link]);
  await tryRun('ip', ['link', 'delete', BRIDGE]);
  await tryRun('ip', ['link', 'delete', VOID_DEVICE]);
}

export async function removeNftTables(): Promise<void> {
  await tryRun('nft', ['delete', 'table', 'ip', 'kube-proxy']);
  await tryRun('nft', ['delete', 'table', 'ip6', 'kube-proxy']);
}

export async function nftTablesLeft(): Promise<string[]> {
  const listed = await tryRun('nft', ['list', 'tables']);
  return (listed?.stdout ?? '').split('\n').filter((l) => / kube-proxy$/.test(l.trim()));
}

/** The iptables and ip6tables chains the kubelet (KUBE-*) and the CNI plugins (CNI-*) made. */
export async function iptablesChainsLeft(): Promise<string[]> {
  const out: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    const saved = await tryRun(`${tool}-save`, []);
    for (const line of saved?.stdout.split('\n') ?? []) if (line.startsWith(':') && ourChain(line.slice(1).split(' ')[0]!)) out.push(`${tool} ${line.slice(1).split(' ')[0]}`);
  }
  return out;
}

/** Deletes the iptables chains the kubelet (KUBE-*) and the CNI plugins (CNI-*) made, and the rules jumping to them. */
export async function removeIptablesChains(): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) {
    const saved = await tryRun(`${tool}-save`, []);
    if (!saved) continue;
    let table = '';
    const script: Record<string, { deletes: string[]; chains: string[] }> = {};
    for (const line of saved.stdout.split('\n')) {
      if (line.startsWith('*')) {
        table = line.slice(1);
        script[table] = { deletes: [], chains: [] };
      } else if (line.startsWith(':')) {
        const chain = line.slice(1).split(' ')[0]!;
        if (ourChain(chain)) script[table]!.chains.push(chain);
      } else if (line.startsWith('-A ')) {
        const chain = line.split(' ')[1]!;
        const target = /\s-[jg]\s+(\S+)/.exec(line)?.[1];
        if (!ourChain(chain) && target && ourChain(target)) script[table]!.deletes.push(`-D ${line.slice(3)}`);
      }
    }
    let restore = '';
    for (const [t, s] of Object.entries(script)) {
      if (s.chains.length === 0 && s.deletes.length === 0) continue;
      restore += `*${t}\n${s.deletes.join('\n')}${s.deletes.length ? '\n' : ''}${s.chains.map((c) => `-F ${c}`).join('\n')}\n${s.chains.map((c) => `-X ${c}`).join('\n')}\nCOMMIT\n`;
    }
    if (restore) await run(`${tool}-restore`, ['--noflush'], { input: restore });
  }
}

export async function ipsetsLeft(): Promise<string[]> {
  const listed = await tryRun('ipset', ['list', '-n']);
  return (listed?.stdout ?? '').split('\n').filter(ourIpset);
}

/** Destroys kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*, their TMP- and inet6: forms), once no rule refers to them. */
export async function removeIpsets(): Promise<void> {
  const ours = await ipsetsLeft();
  // `ipset destroy` of a set in another set's list fails; a second round takes what that freed.
  for (let round = 0; round < 2; round++) for (const name of ours) await tryRun('ipset', ['destroy', name]);
}

/** See VOID_DEVICE: nothing addressed to 198.18.0.0/15 leaves this machine. */
export async function addVoidRoute(): Promise<void> {
  // A bridge with no ports: this kernel has no dummy devices, and a portless bridge drops all it is sent.
  await run('ip', ['link', 'add', VOID_DEVICE, 'type', 'bridge']);
  await run('ip', ['link', 'set', VOID_DEVICE, 'up']);
  await run('ip', ['route', 'add', TEST_RANGE, 'dev', VOID_DEVICE]);
}
