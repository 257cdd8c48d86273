// The corpus as the benchmark searches it: every PDF uploaded through the API and processed by
// the stack's workers, each document named by its corpus name through its content hash.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BenchStack } from '../stack.ts';
import { uploadAll } from '../stack.ts';

export async function ingestCorpus(s: BenchStack, collection: string, files: readonly { name: string; path: string }[], limitSeconds: number): Promise<Map<string, string>> {
  const byHash = new Map(files.map((f) => [createHash('sha256').update(readFileSync(f.path)).digest('hex'), f.name]));
  const errors = await uploadAll(s.base, s.key, collection, files.map((f) => f.path), 8);
  if (errors) throw new Error(`${errors} uploads were refused`);
  const t0 = Date.now();
  for (;;) {
    const { rows } = await s.pg.query<{ open: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE state NOT IN ('succeeded', 'failed', 'skipped'))::int AS open, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM documents WHERE collection = $1`,
      [collection],
    );
    if (rows[0]!.open === 0) break;
    if (Date.now() - t0 > limitSeconds * 1000) throw new Error(`ingestion not finished after ${limitSeconds} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const { rows } = await s.pg.query<{ id: string; sha256: string }>(`SELECT id, sha256 FROM documents WHERE collection = $1 AND state = 'succeeded'`, [collection]);
  return new Map(rows.map((r) => [r.id, byHash.get(r.sha256)!]));
}
