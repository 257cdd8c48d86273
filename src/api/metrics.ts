// The API's Prometheus metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status' | 'code'>;
  duration: Histogram<'method' | 'route'>;
  uploadBytes: Counter;
  rateLimitUnavailable: Counter;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'sluice_api_requests_total',
      help: 'HTTP requests by route, status and error code.',
      labelNames: ['method', 'route', 'status', 'code'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'sluice_api_request_duration_seconds',
      help: 'HTTP request latency by route.',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    uploadBytes: new Counter({ name: 'sluice_api_upload_bytes_total', help: 'Bytes of accepted uploads.', registers: [registry] }),
    rateLimitUnavailable: new Counter({
      name: 'sluice_api_rate_limit_unavailable_total',
      help: 'Requests let through unlimited because Redis (the rate limiter) was unreachable.',
      registers: [registry],
    }),
  };
}
