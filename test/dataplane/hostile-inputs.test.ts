// Hostile PDFs, generated here: each ends in a clear API error or a failed document with the
// right typed reason; the worker process (a real child process) survives with bounded memory.
// The documents are parsed by a worker of each extractor in turn, and fail the same way.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRACTORS } from '../../src/shared/extractor-names.ts';
import { rawUpload, upload, waitTerminal } from './support/client.ts';
import { encryptedPdf, flateBombPdf, garbageWithHeader, manyPagesPdf, noTextPdf, prose, textBombPdf, textPdf } from './support/pdf-factory.ts';
import { sampleRss } from './support/rss.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
const collection = `hostile-${Date.now()}`;
const WORKER_RSS_LIMIT_MIB = 400;

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) } });
  key = s.keys.admin!;
});
afterAll(async () => s?.stop());

async function expectFailure(pdf: Buffer, type: string, into: string, timeoutMs = 60_000) {
  const r = await upload(s.base, key, pdf, { collection: into });
  expect(r.status).toBe(202);
  const doc = await waitTerminal(s.base, key, r.body.document.id, timeoutMs);
  expect(doc.state).toBe('failed');
  expect(doc.error.type).toBe(type);
  expect(doc.error.message.length).toBeGreaterThan(10);
  expect(doc.attempts).toBe(1); // permanent: not retried
  return doc;
}

describe('hostile uploads', () => {
  it('rejects random bytes named .pdf with 415 at upload', async () => {
    const r = await upload(s.base, key, randomBytes(50_000), { collection, filename: 'evil.pdf' });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('NotPdf');
  });

  it('rejects an oversized upload with 413 from its Content-Length, before reading it', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5 * 1024 * 1024)]);
    const r = await upload(s.base, key, big, { collection });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/limit of 4194304 bytes/);
  });

  // The Content-Length check allows for the multipart envelope, so a file a little over the
  // limit, and any upload sent chunked (no Content-Length), are stopped by the cap on the
  // stream itself; what was stored of them is removed.
  it.each([
    ['a file just over the limit, with Content-Length', 4 * 1024 * 1024 + 16 * 1024, false],
    ['a chunked upload without Content-Length', 5 * 1024 * 1024, true],
  ])('rejects %s with 413 while streaming, keeping nothing', async (_label, size, chunked) => {
    const filename = `over-${size}-${chunked}.pdf`;
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size)]);
    const r = await upload(s.base, key, big, { collection, filename, chunked });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TooLarge');
    expect(r.body.error.message).toMatch(/limit of 4194304 bytes/);
    const c = new pg.Client({ connectionString: s.pgUrl });
    await c.connect();
    try {
      const rows = await c.query('SELECT count(*)::int AS n FROM documents WHERE filename = $1', [filename]);
      expect(rows.rows[0].n).toBe(0); // its parts go with it (ON DELETE CASCADE)
    } finally {
      await c.end();
    }
  });

  // Each of these once crashed the API (an error on a file stream nobody listened to) or could.
  describe('malformed uploads get a 4xx and leave the API running', () => {
    const big = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]);
    const stillUp = async () => expect((await fetch(`${s.base}/healthz`)).status).toBe(200);

    it('a body that ends inside the file part', async () => {
      const r = await rawUpload(s.base, key, big(), { fields: { collection }, truncate: true });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('BadMultipart');
      await stillUp();
    });

    it('a large file refused before it is read (no collection named)', async () => {
      const r = await rawUpload(s.base, key, big());
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('MissingCollection');
      await stillUp();
    });

    it('a retry under a known Idempotency-Key whose body is cut short, or has no file', async () => {
      const first = await upload(s.base, key, await textPdf([prose(41, 1)]), { collection, idempotencyKey: 'hostile-replay' });
      expect(first.status).toBe(202);
      const cut = await rawUpload(s.base, key, big(), { fields: { collection }, headers: { 'idempotency-key': 'hostile-replay' }, truncate: true });
      expect(cut.status).toBe(400);
      expect(cut.body.error.code).toBe('BadMultipart');
      const form = new FormData();
      form.set('collection', collection);
      const noFile = await fetch(`${s.base}/v1/documents`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'hostile-replay' } });
      expect(noFile.status).toBe(400);
      expect(((await noFile.json()) as { error: { code: string } }).error.code).toBe('MissingFile');
      await stillUp();
    });
  });
});

// One worker at a time on the stack's queue, so that each document meets the extractor named.
describe.each(EXTRACTORS)('hostile documents (extractor %s)', (extractor) => {
  // A collection of its own: the same bytes uploaded again into one collection are the same document.
  const mine = `${collection}-${extractor}`;
  let worker: ChildProcess;
  let rss: { stop(): number };

  beforeAll(() => {
    worker = s.spawnWorker({
      SLUICE_EXTRACTOR: extractor,
      SLUICE_MAX_PAGES: '1000',
      SLUICE_MAX_CHARS: '5000000',
      SLUICE_PARSER_MEMORY_MIB: '256',
      SLUICE_DOCUMENT_TIMEOUT_SECONDS: '30',
      SLUICE_WORKER_CONCURRENCY: '2',
    });
    rss = sampleRss(worker.pid!);
  });
  afterAll(async () => {
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGKILL');
    await exited;
  });

  it('fails a Flate bomb (KB on disk, 2 GiB decoded) with OutOfMemory', async () => {
    const bomb = await flateBombPdf(2 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expectFailure(bomb, 'OutOfMemory', mine);
  });

  it('fails a 20,000-page PDF with TooManyPages', async () => {
    await expectFailure(manyPagesPdf(20_000), 'TooManyPages', mine);
  });

  it('fails a one-page text bomb with TooLarge', async () => {
    const bomb = textBombPdf(8_000_000);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expectFailure(bomb, 'TooLarge', mine);
  });

  it('fails a password-protected PDF with Encrypted', async () => {
    await expectFailure(encryptedPdf(), 'Encrypted', mine);
  });

  it('fails a truncated PDF with Corrupt', async () => {
    const good = await textPdf([prose(9, 1), prose(9, 2)]);
    await expectFailure(good.subarray(0, Math.floor(good.length * 0.4)), 'Corrupt', mine);
  });

  it('fails noise behind a PDF header with Corrupt', async () => {
    const doc = await expectFailure(garbageWithHeader(), 'Corrupt', mine);
    // Each says it in its own words: the extractor named is the one that read it.
    expect(doc.error.message).toMatch(extractor === 'pdfium' ? /not in PDF format/ : /Invalid PDF structure/);
  });

  it('fails a PDF without a text layer with NoTextLayer', async () => {
    await expectFailure(noTextPdf(), 'NoTextLayer', mine);
  });

  it('still processes a good document afterwards, in the same worker process, with bounded memory', async () => {
    const r = await upload(s.base, key, await textPdf([prose(10, 1), prose(10, 2)]), { collection: mine });
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    expect(doc.state).toBe('succeeded');
    expect(worker.exitCode).toBeNull();
    expect(worker.signalCode).toBeNull();
    const max = rss.stop();
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThan(WORKER_RSS_LIMIT_MIB);
  });
});
