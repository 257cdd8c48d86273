// Reads of a store at scrape time, for clients that wait out outages by design (the worker's
// Redis): the caller waits at most `ms`, and while a read of a key has not returned no other is
// started, so an outage does not pile up a read per scrape in the client's queue. A read that is
// refused or past its deadline throws.
import { withDeadline } from './deadline.ts';

export type BoundedRead = <T>(key: string, read: () => Promise<T>) => Promise<T>;

export function boundedReads(ms: number): BoundedRead {
  const pending = new Set<string>();
  return async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (pending.has(key)) throw new Error('the previous read has not returned');
    pending.add(key);
    const p = read().finally(() => pending.delete(key));
    p.catch(() => undefined); // its late failure is nobody's
    return withDeadline(p, ms, () => new Error(`no answer within ${ms} ms`));
  };
}
