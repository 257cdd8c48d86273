// The OpenAPI document and the express routes, compared both ways from the app itself: a route
// added without documenting it, or documented without a route, fails here.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import type { AppDeps } from '../../../src/api/app-deps.ts';
import { openApiDocument } from '../../../src/api/openapi.ts';

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

function routesOf(stack: readonly Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${prefix}${layer.route!.path}`);
    }
    // A router mounted without a path (rawPath '/') adds nothing to its routes' paths.
    if (layer.handle.stack && typeof layer.rawPath === 'string') return routesOf(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
    return [];
  });
}

describe('OpenAPI document', () => {
  // Building the app touches none of its dependencies; only requests do.
  const app = createApp({} as AppDeps) as unknown as { router: { stack: Layer[] } };
  const routes = routesOf(app.router.stack).sort();
  const documented = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
    .sort();

  it('finds the routes (the introspection itself works)', () => {
    expect(routes).toContain('POST /v1/documents');
    expect(routes).toContain('GET /v1/documents/:id');
    expect(routes.length).toBeGreaterThanOrEqual(9);
  });

  it('documents exactly the routes the app serves', () => {
    expect(documented).toEqual(routes);
  });
});
