// What the informers keep of an object the operator server-side applies (a child of a cluster):
// its metadata, its status, spec.replicas, and of everything else only the fields of the
// operator's own apply entry. Those are exactly the fields the operator last sent, so the drift
// check (apply.ts), which compares what it sends with the cached object, judges as before: a
// field we send and own has its live value here; a field someone else took over leaves our field
// set, is missing here, and so is applied again. What the apiserver defaulted (most of a pod
// template), other managers' fields and, for listed objects, the typed models' empty slots are
// never read, and not kept.
import type { KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../constants.ts';
import { matchesKeys, wireName, type FieldsV1 } from './field-set.ts';

/** Read whoever owns them: the autoscaler reads the worker count that KEDA's HPA may hold. */
const KEEP_IN_SPEC = ['replicas'];

export function keepAppliedOnly(obj: KubernetesObject): KubernetesObject {
  const own = obj.metadata?.managedFields?.filter((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply' && !e.subresource);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (key === 'metadata') {
      const { managedFields: _all, ...meta } = plain(value);
      out.metadata = own?.length ? { ...meta, managedFields: own } : meta;
      continue;
    }
    if (key === 'apiVersion' || key === 'kind' || key === 'status' || !own?.length) {
      out[key] = value;
      continue;
    }
    const fields = (own[0]?.fieldsV1 as FieldsV1 | undefined)?.[`f:${wireName(key)}`];
    let kept = fields ? prune(value, fields) : undefined;
    if (key === 'spec') kept = keepAlways(value, kept);
    if (kept !== undefined) out[key] = kept;
  }
  return out as KubernetesObject;
}

/** An object without its undefined members (the typed models assign every attribute). */
function plain(value: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined));
}

function keepAlways(spec: unknown, kept: unknown): unknown {
  const s = spec as Record<string, unknown>;
  const extra = KEEP_IN_SPEC.filter((k) => s[k] !== undefined);
  if (!extra.length) return kept;
  return { ...(kept as Record<string, unknown> | undefined), ...Object.fromEntries(extra.map((k) => [k, s[k]])) };
}

/** `value` reduced to the members named in `fields`; a leaf of `fields` keeps its value whole. */
function prune(value: unknown, fields: FieldsV1): unknown {
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (!keys.length || value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) {
    const byKey = keys.filter((k) => k.startsWith('k:')).map((k) => ({ match: JSON.parse(k.slice(2)) as Record<string, unknown>, fields: fields[k]! }));
    // Lists without merge keys (atomic lists, `v:` sets, `i:` positions) are kept whole.
    if (byKey.length !== keys.length) return value;
    return value.flatMap((item: unknown) => {
      const f = byKey.find((k) => matchesKeys(item, k.match));
      return f ? [prune(item, f.fields)] : [];
    });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const sub = fields[`f:${wireName(k)}`];
    if (sub !== undefined && v !== undefined) out[k] = prune(v, sub);
  }
  return out;
}
