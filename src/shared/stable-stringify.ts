/**
 * Canonical JSON: object keys sorted recursively by UTF-16 code units (JavaScript's default
 * sort, so any language can reproduce it), arrays in order, no whitespace, undefined left out.
 * The operator and the data plane both hash a job's body with it (docs/jobs.md).
 */
export function stableStringify(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val,
  );
}
