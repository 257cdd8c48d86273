// Reads the data of a ConfigMap or Secret by name. The controller may not list or watch Secrets
// (that would let it read every Secret in the cluster), so it GETs the few it is told about.
import type { KubeConfig, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { ConfigMapLookupError, errorMessage, httpStatus, SecretLookupError } from './errors.ts';
import { kubeRequests, objectPath } from './kube-requests.ts';

/** undefined when not found. */
export interface RefReader {
  configMapData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secretData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

const decode = (data: Record<string, string> | undefined) => Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

export function kubeRefReader(kc: KubeConfig): RefReader {
  const request = kubeRequests(kc);
  return {
    async configMapData(namespace, name) {
      try {
        const cm = await request<V1ConfigMap>('GET', objectPath('v1', 'configmaps', namespace, name));
        return { ...decode(cm.binaryData), ...cm.data };
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw new ConfigMapLookupError(`reading ConfigMap ${namespace}/${name}: ${errorMessage(err)}`, { cause: err });
      }
    },
    async secretData(namespace, name) {
      try {
        return decode((await request<V1Secret>('GET', objectPath('v1', 'secrets', namespace, name))).data);
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw new SecretLookupError(`reading Secret ${namespace}/${name}: ${errorMessage(err)}`, { cause: err });
      }
    },
  };
}
