// The drain handshake between the Builtin autoscaler and the workers, through Redis: before the
// operator removes a worker it asks (through the cluster's API) that the worker stop taking
// documents; the worker pauses and says so in its heartbeat; only a worker that is draining and
// idle is removed. Between a worker being picked and its SIGTERM, it then cannot take a
// document that SIGTERM would interrupt. A request expires unless renewed, so a worker the
// operator no longer wants gone (or an operator that went away) goes back to work.
import type { Redis } from 'ioredis';
import { workersKeyFor } from './heartbeats.ts';

/** A drain request lasts this long unless the operator renews it. */
export const DRAIN_TTL_MS = 30_000;
/** How often a worker checks for a drain request. */
export const DRAIN_CHECK_MS = 1_000;

export const drainKeyFor = (queueName: string) => `${workersKeyFor(queueName)}:drain`;

/** Replaces the set of workers asked to drain: level-triggered, the whole set each time. */
export async function setDrainRequests(redis: Redis, key: string, workerIds: readonly string[], now = Date.now(), ttlMs = DRAIN_TTL_MS): Promise<void> {
  const m = redis.multi().del(key);
  if (workerIds.length > 0) {
    m.hset(key, Object.fromEntries(workerIds.map((id) => [id, String(now + ttlMs)])));
    m.pexpire(key, ttlMs);
  }
  await m.exec();
}

export async function isDrainRequested(redis: Redis, key: string, workerId: string, now = Date.now()): Promise<boolean> {
  const until = await redis.hget(key, workerId);
  return until !== null && Number(until) > now;
}
