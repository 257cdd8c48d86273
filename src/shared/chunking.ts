// Page-aware chunking. The pages are joined and split by LangChain's recursive splitter (so
// chunks may run across a page break, as paragraphs do); each chunk is then located in the
// joined text and given the range of pages it covers.
import { createHash } from 'node:crypto';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';

export interface PageText {
  /** 1-based page number. */
  page: number;
  text: string;
}

export interface Chunk {
  index: number;
  text: string;
  pageStart: number;
  pageEnd: number;
  /** SHA-256 of the chunk text, hex. */
  hash: string;
  /** ocr when the text of a page it spans was recognised; native when left out. */
  textSource?: 'native' | 'ocr';
}

const PAGE_SEPARATOR = '\n\n';

export async function chunkPages(pages: readonly PageText[], chunkSize: number, chunkOverlap: number): Promise<Chunk[]> {
  const starts: number[] = [];
  const numbers: number[] = [];
  let joined = '';
  for (const p of pages) {
    const text = p.text.trim();
    if (!text) continue;
    if (joined) joined += PAGE_SEPARATOR;
    starts.push(joined.length);
    numbers.push(p.page);
    joined += text;
  }
  if (!joined) return [];
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize, chunkOverlap });
  const pieces = await splitter.splitText(joined);
  const pageAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return numbers[lo]!;
  };
  const chunks: Chunk[] = [];
  let cursor = 0;
  for (const text of pieces) {
    if (!text.trim()) continue;
    const found = joined.indexOf(text, cursor);
    const at = found === -1 ? cursor : found;
    cursor = found === -1 ? cursor : found + 1;
    chunks.push({
      index: chunks.length,
      text,
      pageStart: pageAt(at),
      pageEnd: pageAt(at + Math.max(0, text.length - 1)),
      hash: createHash('sha256').update(text).digest('hex'),
    });
  }
  return chunks;
}
