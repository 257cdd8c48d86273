// The name of the data plane's one BullMQ queue, apart from queue.ts so that what only needs the
// name (the configuration, and through it the operator, which never touches the queue) does not
// load BullMQ and ioredis.
export const QUEUE_NAME = 'sluice-documents';
