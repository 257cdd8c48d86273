// Reading server-side apply's field sets (managedFields' FieldsV1) against objects as the operator
// holds them.

/** A field set in the apiserver's FieldsV1 form: `f:<field>`, `k:<keys json>`, `v:<value json>`, `i:<index>`, `.`. */
export type FieldsV1 = { [key: string]: FieldsV1 };

/**
 * client-node's typed models rename JSON keys that clash with reserved words (`from` is
 * `_from`), while objects from watch events keep the wire names.
 */
export const wireName = (k: string) => (k.startsWith('_') ? k.slice(1) : k);

/** Equal, or the same scalar in another representation: quantities and int-or-string ports may come back either way. */
export const looseEqual = (a: unknown, b: unknown) => a === b || (a !== undefined && a !== null && typeof a !== 'object' && String(a) === String(b));

/** Every key of `keys` is loosely equal in `item`: an element of a list a `k:` field names. */
export const matchesKeys = (item: unknown, keys: Record<string, unknown>) =>
  item !== null && typeof item === 'object' && Object.entries(keys).every(([k, v]) => looseEqual((item as Record<string, unknown>)[k], v));
