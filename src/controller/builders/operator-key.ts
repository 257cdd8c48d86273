// The operator's key to one cluster's API: the Secret `<cluster>-operator-key` (generated-secrets.ts)
// holds the key itself (read by the operator) and its keys-file line (mounted into the API). Pure.
import { createHash } from 'node:crypto';

/** The API key name the cluster's API knows the operator by. */
export const OPERATOR_KEY_NAME = 'sluice-operator';
/** Secret keys: the bearer token, and the keys-file line the API reads. */
export const OPERATOR_KEY = 'key';
export const OPERATOR_KEYS_FILE_ITEM = 'keys';

export const operatorKeyLine = (key: string) => `${OPERATOR_KEY_NAME}:${createHash('sha256').update(key).digest('hex')}\n`;
