// The one BullMQ queue of the data plane. The controller reads its counts with
// `new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX }).getJobCounts()`.
import { Queue, type ConnectionOptions } from 'bullmq';

export const QUEUE_NAME = 'sluice-documents';
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

export async function enqueueDocument(queue: Queue<DocumentJobData>, documentId: string, attempt: number, delayMs = 0): Promise<void> {
  await queue.add('document', { documentId }, { jobId: jobIdFor(documentId, attempt), delay: delayMs });
}

/** Many at once, in one round trip to Redis (the sweeper re-adds up to a thousand). */
export async function enqueueDocuments(queue: Queue<DocumentJobData>, docs: readonly { id: string; attempts: number }[]): Promise<void> {
  if (docs.length === 0) return;
  await queue.addBulk(docs.map((d) => ({ name: 'document', data: { documentId: d.id }, opts: { jobId: jobIdFor(d.id, d.attempts) } })));
}
