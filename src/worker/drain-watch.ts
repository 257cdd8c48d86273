// The worker's side of the drain handshake (src/shared/drain.ts): checks every second whether
// the operator asked it to drain; if so it stops taking documents, lets those in flight finish,
// then says so in its heartbeat; it takes documents again when the request is withdrawn or expires.
import type { Redis } from 'ioredis';
import { errorFields, type Logger } from '../shared/logger.ts';
import { DRAIN_CHECK_MS, isDrainRequested } from '../shared/drain.ts';

export interface Pausable {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void | Promise<void>;
}

export interface DrainWatch {
  readonly draining: boolean;
  stop(): void;
}

export function watchDrain(options: { redis: Redis; key: string; workerId: string; worker: Pausable; log: Logger; onChange: () => void; intervalMs?: number }): DrainWatch {
  let draining = false;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const requested = await isDrainRequested(options.redis, options.key, options.workerId);
      if (requested && !draining) {
        // Waits for the documents in flight and cuts the blocking fetch, so that once this
        // resolves no document can still arrive: only then is the worker reported drained.
        await options.worker.pause(false);
        draining = true;
        options.log.info('draining: taking no new documents', { worker: options.workerId });
        options.onChange();
      } else if (!requested && draining) {
        await options.worker.resume();
        draining = false;
        options.log.info('drain withdrawn: taking documents again', { worker: options.workerId });
        options.onChange();
      }
    } catch (err) {
      options.log.warn('drain check failed', errorFields(err));
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? DRAIN_CHECK_MS);
  void check();
  return {
    get draining() {
      return draining;
    },
    stop: () => clearInterval(timer),
  };
}
