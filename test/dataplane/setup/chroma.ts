// Vitest global setup of the dataplane project: one real Chroma server on a free port.
import type { TestProject } from 'vitest/node';
import { startChroma } from '../../../src/dev/chroma.ts';

export { startChroma } from '../../../src/dev/chroma.ts';
export { freePort } from '../../../src/dev/net.ts';

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
