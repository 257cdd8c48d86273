// The ingestion round trip `npm start` shows: upload the example PDFs through the API, wait
// until the workers have parsed, chunked, embedded and stored them, then search.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './net.ts';

interface DocumentView {
  id: string;
  filename: string;
  state: string;
  pages: number | null;
  chunks: number | null;
  error: { type: string; message: string } | null;
}

export async function ingestAndSearch(base: string, key: string, dir: string, collection: string, query: string, log: (s: string) => void, timeoutMs = 60_000) {
  const auth = { authorization: `Bearer ${key}` };
  const ids: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pdf'))) {
    const form = new FormData();
    form.append('collection', collection);
    form.append('file', new Blob([readFileSync(join(dir, file))], { type: 'application/pdf' }), file);
    const res = await fetch(`${base}/v1/documents`, { method: 'POST', headers: auth, body: form });
    const body = (await res.json()) as { document?: DocumentView; error?: { message: string } };
    if (!body.document) throw new Error(`upload of ${file} answered ${res.status}: ${body.error?.message}`);
    log(`uploaded ${file} → ${res.status} ${body.document.id}`);
    ids.push(body.document.id);
  }
  for (const id of ids) {
    const d = await eventually(
      `document ${id} to finish`,
      async () => {
        const { document: doc } = (await (await fetch(`${base}/v1/documents/${id}`, { headers: auth })).json()) as { document: DocumentView };
        return doc.state === 'succeeded' || doc.state === 'failed' ? doc : undefined;
      },
      timeoutMs,
      100,
    );
    log(`${d.filename}: ${d.state}, ${d.pages} pages, ${d.chunks} chunks${d.error ? `, ${d.error.type}: ${d.error.message}` : ''}`);
  }
  await searchOnce(base, key, collection, query, log);
}

/** One search, its best two hits printed with their pages. */
export async function searchOnce(base: string, key: string, collection: string, query: string, log: (s: string) => void): Promise<void> {
  const res = await fetch(`${base}/v1/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ collection, query, limit: 2 }),
  });
  const { results } = (await res.json()) as { results: { documentId: string; pageStart: number; pageEnd: number; score: number; text: string }[] };
  log(`search ${collection} for "${query}":`);
  for (const r of results) log(`  page ${r.pageStart}${r.pageEnd !== r.pageStart ? `-${r.pageEnd}` : ''} (score ${r.score.toFixed(3)}): ${r.text.replace(/\s+/g, ' ').slice(0, 100)}…`);
}

/** Prints `kubectl get ij NAME` whenever it changes, until the job is Complete or Failed. */
export async function followJob(kubectl: (args: string[]) => Promise<string>, name: string, log: (s: string) => void, timeoutMs = 300_000): Promise<void> {
  let last = '';
  let header = false;
  await eventually(
    `IngestionJob ${name} to finish`,
    async () => {
      const [head, row] = (await kubectl(['get', 'ij', name])).trimEnd().split('\n');
      if (!header && head) log(head);
      header = true;
      if (row && row !== last) log(row);
      last = row ?? last;
      return /\s(Complete|Failed)\s/.test(row ?? '');
    },
    timeoutMs,
    500,
  );
}
