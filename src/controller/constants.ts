export const FIELD_MANAGER = 'sluice-operator';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';

/** Pod template annotation that rolls pods when the configuration they read changes. */
export const ANNOTATION_CONFIG_HASH = 'sluice.dev/config-hash';

/** Where the API and the worker serve /metrics: apart from the API's keyed port. */
export const METRICS_PORT = 9090;
export const REDIS_PORT = 6379;
export const DEFAULT_IMAGE = 'ghcr.io/sluice-dev/sluice:0.1.0';
