// Work-queue keys typed by kind: a job's key can never be handed to the cluster reconciler.
export type ObjectKey<K extends string> = string & { readonly __kind: K };

export interface ObjectRef {
  namespace: string;
  name: string;
}

export const objectKey = <K extends string>(_kind: K, ref: ObjectRef): ObjectKey<K> => `${ref.namespace}/${ref.name}` as ObjectKey<K>;

export function parseKey<K extends string>(key: ObjectKey<K>): ObjectRef {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The namespace and name of an object (objects from the apiserver always have both). */
export const refOf = (obj: { metadata?: { namespace?: string; name?: string } }): ObjectRef => ({
  namespace: obj.metadata?.namespace ?? '',
  name: obj.metadata?.name ?? '',
});
