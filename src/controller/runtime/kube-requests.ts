// The operator's few requests besides its informers' and its applies (a Secret's existence,
// Events, the Lease, status and finalizer patches, worker pods): plain JSON over the KubeConfig's
// connection and credentials, as client-node's Watch sends its own. client-node's typed clients
// (CoreV1Api, CustomObjectsApi, …) would load the request code of every API group, memory the
// operator otherwise never spends (lazy-api-classes.ts).
// Objects come back as the apiserver sends them: timestamps are strings, not the typed models'
// Dates. A failure is client-node's ApiException, so errors.ts reads it as before.
import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface RequestOptions {
  body?: unknown;
  /** Of the body; JSON unless a patch says which. */
  contentType?: string;
  query?: Record<string, string | boolean | undefined>;
}

export type KubeRequest = <T>(method: Method, path: string, options?: RequestOptions) => Promise<T>;

export const JSON_PATCH = 'application/json-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export function kubeRequests(kc: KubeConfig): KubeRequest {
  const http = new IsomorphicFetchHttpLibrary();
  return async <T>(method: Method, path: string, options: RequestOptions = {}) => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    const url = new URL(cluster.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), HttpMethod[method]);
    ctx.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    await kc.applySecurityAuthentication(ctx);
    const res = await http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode >= 200 && res.httpStatusCode <= 299) return (text ? JSON.parse(text) : undefined) as T;
    // As the typed clients throw it: the body as text, the headers as received.
    if (res.httpStatusCode === 401) throw new ApiException(401, 'Unauthorized', undefined, res.headers);
    throw new ApiException(res.httpStatusCode, 'Unknown API Status Code!', text, res.headers);
  };
}

/** `/api/v1/namespaces/<ns>/<plural>[/<name>[/<subresource>]]`, or `/apis/<group>/<version>/…`. */
export function objectPath(apiVersion: string, plural: string, namespace: string, name?: string, subresource?: string): string {
  const group = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  const parts = [group, 'namespaces', namespace, plural, name, subresource].filter((p) => p !== undefined).map((p, i) => (i === 0 ? p : encodeURIComponent(p)));
  return parts.join('/');
}
