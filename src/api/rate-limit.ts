// Per-key rate limit in Redis, so that it holds across API replicas: a fixed one-minute window
// counted with INCR, the key expiring with its window.
import type { Redis } from 'ioredis';

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

export function windowOf(nowMs: number): { window: number; msLeft: number } {
  const window = Math.floor(nowMs / 60_000);
  return { window, msLeft: (window + 1) * 60_000 - nowMs };
}

export async function takeToken(redis: Redis, keyName: string, limitPerMinute: number, nowMs = Date.now(), prefix = 'sluice:ratelimit'): Promise<RateDecision> {
  const { window, msLeft } = windowOf(nowMs);
  const key = `${prefix}:${keyName}:${window}`;
  const r = await redis.multi().incr(key).pexpire(key, msLeft + 1_000).exec();
  const count = Number(r?.[0]?.[1] ?? 0);
  return { allowed: count <= limitPerMinute, remaining: Math.max(0, limitPerMinute - count), retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}
