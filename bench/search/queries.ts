// Queries as a user quotes a document: words taken from one page as poppler's pdftotext reads it
// (not Sluice's own extraction), either a random set of 3 to 8 of its words or an exact phrase of
// 3 to 8 consecutive words. Pages with too little text to quote are passed over.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pick, type Random } from '../random.ts';

const run = promisify(execFile);

export interface Query {
  kind: 'words' | 'phrase';
  text: string;
  /** The document quoted, by the name the bench uploaded it under. */
  document: string;
  page: number;
}

/** A page's words: letters or digits, at least 3 characters, as a reader would type them. */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_-]*[\p{L}\p{N}]/gu;

export async function pagesOf(path: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', path, '-'], { maxBuffer: 1 << 28 });
  return stdout.split('\f');
}

/**
 * `count` queries over `documents` (name → its pages' text), half random word sets and half
 * exact phrases, each from a page chosen at random among those with at least 40 words.
 */
export function makeQueries(documents: ReadonlyMap<string, readonly string[]>, count: number, random: Random): Query[] {
  const pages = [...documents].flatMap(([document, texts]) =>
    texts.map((text, i) => ({ document, page: i + 1, words: text.match(WORD)?.filter((w) => w.length >= 3) ?? [] })).filter((p) => p.words.length >= 40),
  );
  const queries: Query[] = [];
  for (let i = 0; i < count; i++) {
    const page = pick(random, pages);
    const n = 3 + Math.floor(random() * 6);
    const kind = i % 2 === 0 ? 'words' : 'phrase';
    let words: string[];
    if (kind === 'words') words = Array.from({ length: n }, () => pick(random, page.words));
    else {
      const start = Math.floor(random() * (page.words.length - n));
      words = page.words.slice(start, start + n);
    }
    queries.push({ kind, text: words.join(' '), document: page.document, page: page.page });
  }
  return queries;
}
