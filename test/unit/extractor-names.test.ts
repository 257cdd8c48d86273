// The CRD's enum of spec.workers.extractor is the list of extractors the worker can load, and a
// bad SLUICE_EXTRACTOR stops the worker at start with a message naming it.
import { describe, expect, it } from 'vitest';
import { ingestionClusterSpec } from '../../src/crd/ingestion-cluster.ts';
import { loadWorkerConfig } from '../../src/shared/config/data-plane-config.ts';
import { DEFAULT_EXTRACTOR, EXTRACTORS } from '../../src/shared/extractor-names.ts';

const env = { SLUICE_POSTGRES_URL: 'postgres://u@pg/db', SLUICE_CHROMA_URL: 'http://chroma:8000' };

describe('spec.workers.extractor', () => {
  const schema = (ingestionClusterSpec.properties.workers.properties as unknown as Record<string, { enum: string[]; default: string }>).extractor!;

  it('offers exactly the extractors the worker can load, with the same default', () => {
    expect(schema.enum).toEqual([...EXTRACTORS]);
    expect(schema.default).toBe(DEFAULT_EXTRACTOR);
    expect(loadWorkerConfig(env).extractor).toBe(DEFAULT_EXTRACTOR);
  });

  it('is read from SLUICE_EXTRACTOR, and an unknown name is refused', () => {
    expect(loadWorkerConfig({ ...env, SLUICE_EXTRACTOR: 'pdf-parse' }).extractor).toBe('pdf-parse');
    expect(() => loadWorkerConfig({ ...env, SLUICE_EXTRACTOR: 'mupdf' })).toThrow(/SLUICE_EXTRACTOR must be one of pdfium, pdf-parse, got "mupdf"/);
  });
});
