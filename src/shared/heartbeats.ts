// Worker liveness and busy/idle state in one Redis hash, for the autoscaler (which removes idle
// workers first) and for humans. Readers ignore entries older than the stale threshold.
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './queue.ts';

const WORKERS_KEY = 'sluice:workers';

/** The hash of the workers of a queue: WORKERS_KEY for the real queue, its own for a test queue. */
export function workersKeyFor(queueName: string): string {
  return queueName === QUEUE_NAME ? WORKERS_KEY : `${WORKERS_KEY}:${queueName}`;
}
export const HEARTBEAT_INTERVAL_MS = 5_000;
const HEARTBEAT_STALE_MS = 20_000;

export interface WorkerHeartbeat {
  id: string;
  active: number;
  concurrency: number;
  /** Milliseconds since the epoch when the worker wrote this. */
  ts: number;
  /** Asked to drain (src/shared/drain.ts), the worker takes no new document. */
  draining?: boolean;
}

export async function writeWorkerHeartbeat(redis: Redis, hb: WorkerHeartbeat, key = WORKERS_KEY): Promise<void> {
  await redis.hset(key, hb.id, JSON.stringify(hb));
}

export async function removeWorkerHeartbeat(redis: Redis, id: string, key = WORKERS_KEY): Promise<void> {
  await redis.hdel(key, id);
}

export function parseHeartbeats(raw: Record<string, string>, now: number, staleMs = HEARTBEAT_STALE_MS): WorkerHeartbeat[] {
  const out: WorkerHeartbeat[] = [];
  for (const value of Object.values(raw)) {
    let hb: unknown;
    try {
      hb = JSON.parse(value);
    } catch {
      continue;
    }
    if (!isHeartbeat(hb) || now - hb.ts > staleMs) continue;
    out.push(hb);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function isHeartbeat(v: unknown): v is WorkerHeartbeat {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.id === 'string' && typeof o.active === 'number' && typeof o.concurrency === 'number' && typeof o.ts === 'number';
}

/** Live workers, each with whether it is busy (at least one document in flight). */
export async function readWorkerHeartbeats(
  redis: Redis,
  opts: { now?: number; staleMs?: number; key?: string } = {},
): Promise<{ workers: WorkerHeartbeat[]; busy: number; idle: number }> {
  const workers = parseHeartbeats(await redis.hgetall(opts.key ?? WORKERS_KEY), opts.now ?? Date.now(), opts.staleMs);
  const busy = workers.filter((w) => w.active > 0).length;
  return { workers, busy, idle: workers.length - busy };
}
