import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One real control plane for the whole run; tests isolate themselves by namespace.
          globalSetup: ['test/setup/control-plane.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'dataplane',
          include: ['test/dataplane/**/*.test.ts'],
          // One real Chroma server for the run; each test file has its own PostgreSQL schema,
          // queue name and collections on the machine's PostgreSQL and Redis.
          globalSetup: ['test/dataplane/setup/chroma.ts', 'test/dataplane/setup/ocr-engine.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          // The operator on the real control plane with its cluster's data plane in this process:
          // Chroma for the run, PostgreSQL and Redis of the machine, SeaweedFS per file.
          globalSetup: ['test/setup/control-plane.ts', 'test/dataplane/setup/chroma.ts', 'test/dataplane/setup/ocr-engine.ts'],
          testTimeout: 300_000,
          hookTimeout: 30 * 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One control plane with a real node (containerd, kubelet, kube-proxy, CoreDNS) for the
          // run: pods really run. One node per machine; a second run waits for the first.
          globalSetup: ['test/e2e/setup/node.ts'],
          // One file at a time: they share the node and its one operator, which a file may change
          // (install.test.ts moves the operator's image, rolling every cluster's pods).
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
