// Pure classification of IP addresses and host names for the SSRF guard: which rule, if any,
// refuses an address. No I/O here, so every range is table-tested.
import { isIPv4, isIPv6 } from 'node:net';

interface Range {
  /** 16 bytes: IPv4 ranges are held as IPv4-mapped IPv6 (::ffff:a.b.c.d). */
  bytes: Uint8Array;
  bits: number;
  rule: string;
}

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (with an optional embedded IPv4 tail), or undefined. */
export function ipv6Bytes(ip: string): Uint8Array | undefined {
  const zone = ip.indexOf('%');
  const addr = zone >= 0 ? ip.slice(0, zone) : ip;
  if (!isIPv6(addr)) return undefined;
  let head = addr;
  const lastColon = addr.lastIndexOf(':');
  const last = addr.slice(lastColon + 1);
  if (isIPv4(last)) {
    const [a, b, c, d] = v4Bytes(last) as [number, number, number, number];
    head = `${addr.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = head.split('::');
  const part = (s: string | undefined): number[] => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = part(halves[0]);
  const right = part(halves[1]);
  const gap = halves.length > 1 ? new Array<number>(8 - left.length - right.length).fill(0) : [];
  const words = [...left, ...gap, ...right];
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function mapped(v4: string): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4Bytes(v4), 12);
  return out;
}

function range(cidr: string, rule: string): Range {
  const [ip, bits] = cidr.split('/') as [string, string];
  if (isIPv4(ip)) return { bytes: mapped(ip), bits: 96 + Number(bits), rule };
  return { bytes: ipv6Bytes(ip)!, bits: Number(bits), rule };
}

/** Refused whatever the settings say. Order matters: the first match names the rule. */
const ALWAYS: Range[] = [
  range('0.0.0.0/8', 'the unspecified network 0.0.0.0/8 is never fetched'),
  range('169.254.0.0/16', 'link-local 169.254.0.0/16 (cloud metadata) is never fetched'),
  range('224.0.0.0/4', 'multicast 224.0.0.0/4 is never fetched'),
  range('240.0.0.0/4', 'reserved 240.0.0.0/4 is never fetched'),
  range('::/128', 'the unspecified address :: is never fetched'),
  range('fe80::/10', 'link-local fe80::/10 is never fetched'),
  range('fd00:ec2::254/128', 'the cloud metadata address fd00:ec2::254 is never fetched'),
  range('ff00::/8', 'multicast ff00::/8 is never fetched'),
];

/** Refused unless SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS is true. */
const PRIVATE: Range[] = [
  range('127.0.0.0/8', 'loopback 127.0.0.0/8'),
  range('::1/128', 'loopback ::1'),
  range('10.0.0.0/8', 'private network 10.0.0.0/8'),
  range('172.16.0.0/12', 'private network 172.16.0.0/12'),
  range('192.168.0.0/16', 'private network 192.168.0.0/16'),
  range('100.64.0.0/10', 'shared address space 100.64.0.0/10'),
  range('198.18.0.0/15', 'benchmarking network 198.18.0.0/15'),
  range('fc00::/7', 'unique local fc00::/7'),
];

function inRange(addr: Uint8Array, r: Range): boolean {
  const full = Math.floor(r.bits / 8);
  for (let i = 0; i < full; i++) if (addr[i] !== r.bytes[i]) return false;
  const rest = r.bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((addr[full] ?? 0) & mask) === ((r.bytes[full] ?? 0) & mask);
}

/** IPv6 forms that carry an IPv4 address a packet may end up at: mapped, compatible, NAT64, 6to4. */
function embeddedV4(b: Uint8Array): Uint8Array | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => mapped(`${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return undefined; // already mapped: ranges match it
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return v4(12); // ::a.b.c.d (not ::1)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2); // 2002::/16
  return undefined;
}

/**
 * The rule that refuses `ip`, or undefined when it may be fetched. `ip` is an IPv4 or IPv6
 * literal (IPv6 without brackets); anything else is refused as not an address.
 */
export function refusedAddress(ip: string, allowPrivateNetworks: boolean): string | undefined {
  const b = isIPv4(ip) ? mapped(ip) : ipv6Bytes(ip);
  if (!b) return `${JSON.stringify(ip)} is not an IP address`;
  const candidates = [b];
  const inner = embeddedV4(b);
  if (inner) candidates.push(inner);
  for (const a of candidates) {
    for (const r of ALWAYS) if (inRange(a, r)) return r.rule;
    if (!allowPrivateNetworks) {
      for (const r of PRIVATE) if (inRange(a, r)) return `${r.rule} is not fetched unless SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS is true`;
    }
  }
  return undefined;
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/**
 * The deny-list entry that refuses `host`, or undefined. An entry `name` refuses `name` and its
 * in-cluster forms `name.<ns>.svc` and `name.<ns>.svc.cluster.local` in any namespace; an entry
 * `name.ns[.svc[.cluster.local]]` refuses `name.ns`, `name.ns.svc` and `name.ns.svc.cluster.local`.
 */
export function deniedHost(host: string, denyHosts: readonly string[]): string | undefined {
  const h = normalizeHost(host);
  const labels = h.split('.');
  for (const entry of denyHosts) {
    const d = normalizeHost(entry);
    if (h === d) return entry;
    const [name, ns] = d.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
    if (labels[0] !== name) continue;
    const rest = labels.slice(1).join('.');
    const namespaced = ns !== undefined ? [ns, `${ns}.svc`, `${ns}.svc.cluster.local`] : [];
    if (namespaced.includes(rest)) return entry;
    if (ns === undefined && /^[^.]+\.svc(\.cluster\.local)?$/.test(rest)) return entry;
  }
  return undefined;
}
