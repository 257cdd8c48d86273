// What a document's pages' text sources make of its chunks and counts. Pure.
import type { Chunk } from '../shared/chunking.ts';
import type { PageCounts } from '../shared/db/claims.ts';
import type { PageRecord, TextSource } from '../shared/db/document-pages.ts';

/** A chunk's source: ocr when the text of any page it spans was recognised. */
export function chunkTextSource(chunk: Pick<Chunk, 'pageStart' | 'pageEnd'>, sources: ReadonlyMap<number, TextSource>): 'native' | 'ocr' {
  for (let p = chunk.pageStart; p <= chunk.pageEnd; p++) if (sources.get(p) === 'ocr') return 'ocr';
  return 'native';
}

export function pageRecords(pages: readonly { page: number; text: string; source: TextSource }[]): PageRecord[] {
  return pages.map((p) => ({ page: p.page, source: p.source, chars: p.text.length }));
}

export function pageCounts(pages: readonly { source: TextSource }[]): PageCounts {
  return { ocr: pages.filter((p) => p.source === 'ocr').length, withoutText: pages.filter((p) => p.source === 'none').length };
}
