// Vitest global setup of the dataplane project: one real Chroma server on a free port.
import type { TestProject } from 'vitest/node';
import { startChroma } from '@sluice/devenv/chroma';

export { startChroma } from '@sluice/devenv/chroma';
export { freePort } from '@sluice/devenv/net';

declare module 'vitest' {
  export interface ProvidedContext {
    chromaUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const chroma = await startChroma();
  project.provide('chromaUrl', chroma.url);
  return () => chroma.stop();
}
