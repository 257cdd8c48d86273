// The one BullMQ queue of the data plane. The controller reads its counts with
// `new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX }).getJobCounts()`.
import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAME } from './queue-name.ts';

export { QUEUE_NAME };
export const QUEUE_PREFIX = 'sluice';

/** A job carries the document id only; PostgreSQL holds the bytes and the state. */
export interface DocumentJobData {
  documentId: string;
}

/**
 * Job ids are derived from the document and its attempt so that enqueueing is idempotent:
 * the sweeper and the API may both add the same attempt and BullMQ keeps one.
 */
function jobIdFor(documentId: string, attempt: number): string {
  return `${documentId}_${attempt}`;
}

export function createQueue(connection: ConnectionOptions, name: string = QUEUE_NAME): Queue<DocumentJobData> {
  return new Queue<DocumentJobData>(name, {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
}

/**
 * BullMQ's priority for a job document: 1 is BullMQ's highest, so a job's 0..100 (higher first)
 * maps to 101..1. Uploads carry none, and BullMQ takes jobs without a priority first.
 */
export function queuePriority(jobPriority: number): number {
  return 101 - jobPriority;
}

export interface EnqueueItem {
  id: string;
  attempts: number;
  /** BullMQ priority (see queuePriority); none for uploads. */
  priority?: number | undefined;
  delayMs?: number | undefined;
}

function optsFor(item: EnqueueItem) {
  return { jobId: jobIdFor(item.id, item.attempts), ...(item.priority ? { priority: item.priority } : {}), ...(item.delayMs ? { delay: item.delayMs } : {}) };
}

export async function enqueueDocument(queue: Queue<DocumentJobData>, documentId: string, attempt: number, delayMs = 0, priority?: number): Promise<void> {
  await queue.add('document', { documentId }, optsFor({ id: documentId, attempts: attempt, delayMs, priority }));
}

/** Many at once, in one round trip to Redis (the sweeper re-adds up to a thousand). */
export async function enqueueDocuments(queue: Queue<DocumentJobData>, docs: readonly EnqueueItem[]): Promise<void> {
  if (docs.length === 0) return;
  await queue.addBulk(docs.map((d) => ({ name: 'document', data: { documentId: d.id }, opts: optsFor(d) })));
}
