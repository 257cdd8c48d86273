// The benchmark corpus: real multi-page text PDFs written with pdf-lib (Helvetica, ~450 words
// a page of deterministic prose), cached in a temporary directory so repeated runs reuse them.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prose, textPdf } from '../test/dataplane/support/pdf-factory.ts';

export interface CorpusFile {
  path: string;
  pages: number;
}

export async function corpus(name: string, docs: number, pagesPerDoc: (i: number) => number): Promise<CorpusFile[]> {
  const dir = join(tmpdir(), `sluice-bench-${name}`);
  mkdirSync(dir, { recursive: true });
  const have = new Set(readdirSync(dir));
  const files: CorpusFile[] = [];
  for (let i = 0; i < docs; i++) {
    const pages = pagesPerDoc(i);
    const file = `doc-${i}-${pages}p.pdf`;
    const path = join(dir, file);
    if (!have.has(file) || !existsSync(path)) {
      writeFileSync(path, await textPdf(Array.from({ length: pages }, (_, p) => prose(i + 1, p + 1))));
    }
    files.push({ path, pages });
  }
  return files;
}
