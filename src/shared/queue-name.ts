// The name of the data plane's one BullMQ queue, apart from queue.ts so that what only needs the
// name (the configuration, and through it the operator) does not load BullMQ and ioredis (~27 MiB
// resident in the operator, which never touches the queue).
export const QUEUE_NAME = 'sluice-documents';
