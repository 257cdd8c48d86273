// Helpers that build Kubernetes *structural* OpenAPI v3 schemas with TypeBox, so that the same
// definition yields both the CRD YAML and the TypeScript types the controller reads.
//
// Convention: a field with a `default` is declared required in the TypeScript type (the
// apiserver always fills it in before anyone reads the object) and is dropped from the
// schema's `required` list when the CRD is generated (see crd-builder.ts).
import { Type, type TSchema, type TObject, type TProperties, type Static } from '@sinclair/typebox';

export { Type, type TSchema, type Static };

export interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

interface Common {
  description: string;
  rules?: Rule[];
}

function extra(options: Common): Record<string, unknown> {
  const { description, rules } = options;
  return rules ? { description, 'x-kubernetes-validations': rules } : { description };
}

export function obj<P extends TProperties>(properties: P, options: Common & { default?: object }): TObject<P> {
  const { default: def, ...rest } = options;
  return Type.Object(properties, { ...extra(rest), ...(def === undefined ? {} : { default: def }) });
}

export function str(options: Common & { default?: string; minLength?: number; maxLength?: number; pattern?: string; format?: string }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.String({ ...extra(options), ...s });
}

export function int(options: Common & { default?: number; minimum?: number; maximum?: number; format?: 'int32' | 'int64' }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Integer({ format: 'int32', ...extra(options), ...s });
}

export function num(options: Common & { default?: number; minimum?: number; maximum?: number }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Number({ ...extra(options), ...s });
}

export function bool(options: Common & { default?: boolean }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Boolean({ ...extra(options), ...s });
}

/** A string enum; TypeBox's literal unions become anyOf/const, which structural schemas forbid. */
export function enumOf<const T extends readonly string[]>(values: T, options: Common & { default?: T[number] }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...extra(options), ...s });
}

export function arr<T extends TSchema>(
  items: T,
  options: Common & { maxItems: number; minItems?: number; default?: unknown[]; listType?: 'atomic' | 'set' | 'map'; listMapKeys?: string[] },
) {
  const { description: _d, rules: _r, listType, listMapKeys, ...s } = options;
  return Type.Array(items, {
    ...extra(options),
    ...s,
    ...(listType ? { 'x-kubernetes-list-type': listType } : {}),
    ...(listMapKeys ? { 'x-kubernetes-list-map-keys': listMapKeys } : {}),
  });
}

/** map[string]T, expressed with additionalProperties (patternProperties is not structural). */
export function mapOf<T extends TSchema>(values: T, options: Common & { maxProperties?: number }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: values, ...extra(options), ...s });
}

/** An embedded Kubernetes type kept opaque to the schema, typed on the TypeScript side. */
export function opaque<T>(options: Common & { type: 'object' | 'array' }) {
  const { description: _d, rules: _r, type } = options;
  return Type.Unsafe<T>({
    type,
    ...(type === 'array' ? { items: { type: 'object', description: 'An item.', 'x-kubernetes-preserve-unknown-fields': true } } : {}),
    ...(type === 'object' ? { 'x-kubernetes-preserve-unknown-fields': true } : {}),
    ...extra(options),
  });
}

/** int-or-string quantity ("500m", "1Gi", 2). */
export function quantity(options: Common & { default?: string }) {
  const { description: _d, rules: _r, ...s } = options;
  return Type.Unsafe<string | number>({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
    ...extra(options),
    ...s,
  });
}

export const optional = Type.Optional;
