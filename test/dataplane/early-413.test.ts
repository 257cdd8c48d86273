// A 413 decided before the body is read must reach the client: a client that announces a body
// over the cap with Expect: 100-continue gets the 413 and no invitation to send it; a client that
// sends its body anyway (and reads only when done) still reads the 413, because the server reads
// and discards the rest of the body rather than resetting the connection under it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartParts } from './support/multipart.ts';
import { RawHttp, uploadHead } from './support/raw-http.ts';
import { startStack, type Stack } from './support/stack.ts';

const CAP = 1024 * 1024;
let s: Stack;
let key: string;

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_MAX_UPLOAD_BYTES: String(CAP) } });
  key = s.keys.admin!;
});
afterAll(async () => s?.stop());

function upload(fileBytes: number) {
  const boundary = `early-${randomBytes(6).toString('hex')}`;
  const { head, tail } = multipartParts(boundary, { collection: `early-${s.schema}` }, 'big.pdf');
  const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(fileBytes)]);
  return { boundary, head, file, tail, length: head.length + file.length + tail.length };
}

async function sendAll(http: RawHttp, parts: Buffer[], pieceBytes = 64 * 1024): Promise<void> {
  for (const part of parts) {
    for (let at = 0; at < part.length; at += pieceBytes) {
      if (!(await http.write(part.subarray(at, at + pieceBytes)))) return;
    }
  }
}

describe('an early 413 reaches the client', () => {
  it('Expect: 100-continue with a Content-Length over the cap: 413 at once, no 100 Continue before it', async () => {
    const u = upload(8 * CAP);
    const http = await RawHttp.connect(s.base);
    try {
      await http.write(uploadHead(key, u.boundary, u.length, { expect: '100-continue' }));
      const res = await http.response(5_000);
      expect(res.interim).toEqual([]);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('TooLarge');
    } finally {
      http.close();
    }
  });

  it('Expect: 100-continue within the cap: 100 Continue, then the upload is accepted', async () => {
    const u = upload(CAP / 2);
    const http = await RawHttp.connect(s.base);
    try {
      await http.write(uploadHead(key, u.boundary, u.length, { expect: '100-continue' }));
      // Nothing is sent until the server asks for it.
      await expect.poll(() => http.answered, { timeout: 5_000 }).toBe(true);
      await sendAll(http, [u.head, u.file, u.tail]);
      const res = await http.response(10_000);
      expect(res.interim).toEqual([100]);
      expect(res.status).toBe(202);
    } finally {
      http.close();
    }
  });

  it.each([
    ['with Content-Length (refused from its headers)', true],
    ['chunked (refused at the cap while streaming)', false],
  ])('a client that sends a body over the cap %s and reads only when done still reads the 413', async (_label, withLength) => {
    for (let i = 0; i < 3; i++) {
      // Far more than the kernel's socket buffers hold, so the server must read it.
      const u = upload(24 * CAP);
      const http = await RawHttp.connect(s.base);
      try {
        http.pause(); // reads nothing while it sends, as a client busy sending a large body
        await http.write(uploadHead(key, u.boundary, withLength ? u.length : undefined));
        const body = Buffer.concat([u.head, u.file, u.tail]);
        if (withLength) await sendAll(http, [body]);
        else {
          const chunks: Buffer[] = [];
          for (let at = 0; at < body.length; at += 64 * 1024) {
            const c = body.subarray(at, at + 64 * 1024);
            chunks.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
          }
          chunks.push(Buffer.from('0\r\n\r\n'));
          await sendAll(http, chunks, 1 << 30);
        }
        http.resume();
        const res = await http.response(10_000);
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body).error.code).toBe('TooLarge');
        expect(http.error).toBeUndefined(); // no reset
      } finally {
        http.close();
      }
    }
    // Nothing of them was kept.
    const c = new pg.Client({ connectionString: s.pgUrl });
    await c.connect();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM documents WHERE state = $1', ['uploading'])).rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
