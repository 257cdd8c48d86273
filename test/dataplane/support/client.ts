// Small HTTP helpers for the data-plane tests.
import { expect } from 'vitest';
import { multipartParts } from './multipart.ts';

// Response bodies are checked field by field with expect(), so they are left untyped here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function upload(
  base: string,
  key: string | undefined,
  file: Buffer,
  o: {
    collection?: string;
    filename?: string;
    idempotencyKey?: string;
    metadata?: Record<string, unknown>;
    job?: string;
    /** Send the body with chunked transfer encoding, without a Content-Length. */
    chunked?: boolean;
  } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const form = new FormData();
  if (o.collection) form.set('collection', o.collection);
  if (o.metadata) form.set('metadata', JSON.stringify(o.metadata));
  if (o.job) form.set('job', o.job);
  form.set('file', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), o.filename ?? 'doc.pdf');
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
  let body: FormData | ReadableStream<Uint8Array> = form;
  if (o.chunked) {
    const encoded = new Response(form);
    headers['content-type'] = encoded.headers.get('content-type')!;
    body = encoded.body!;
  }
  const res = await fetch(`${base}/v1/documents`, { method: 'POST', body, headers, ...(o.chunked ? { duplex: 'half' } : {}) });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

export async function call(base: string, key: string | undefined, method: string, path: string, json?: unknown): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

/** Polls a document until it is terminal. */
export async function waitTerminal(base: string, key: string, id: string, timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(base, key, 'GET', `/v1/documents/${id}`);
    expect(r.status).toBe(200);
    if (r.body.document.state === 'succeeded' || r.body.document.state === 'failed') return r.body.document;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${r.body.document.state} (${r.body.document.stage}) after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/**
 * A multipart upload written by hand, sent chunked in 64 KiB writes: `truncate` ends the body
 * inside the file part (no closing boundary), as a cut proxy or a buggy client would.
 */
export async function rawUpload(
  base: string,
  key: string,
  file: Buffer,
  o: { fields?: Record<string, string>; headers?: Record<string, string>; truncate?: boolean } = {},
): Promise<{ status: number; body: Json }> {
  const { default: http } = await import('node:http');
  const boundary = `----sluice-raw-${Math.random().toString(16).slice(2)}`;
  const { head, tail } = multipartParts(boundary, o.fields ?? {});
  const body = Buffer.concat(o.truncate ? [head, file] : [head, file, tail]);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, ...o.headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}
