// The declared maximum of a WebAssembly module's memory is what bounds PDFium's heap (RLIMIT_AS
// cannot: V8 reserves the whole maximum before the cap is set), so it is rewritten exactly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { limitWasmMemory } from '../../../src/worker/extract/wasm-memory-limit.ts';

const PAGE = 64 * 1024;
/** A module with one memory (1 page, at most 100) exported as "memory"; noMax below declares no maximum. */
const tiny = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x05, 0x04, 0x01, 0x01, 0x01, 0x64,
  0x07, 0x0a, 0x01, 0x06, ...Buffer.from('memory'), 0x02, 0x00,
]);

/** The WebAssembly global, which the project's TypeScript lib (es2024, no DOM) does not declare. */
interface Memory {
  grow(pages: number): number;
  buffer: ArrayBuffer;
}
const WA = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean; Module: new (b: Uint8Array) => object; Instance: new (m: object) => { exports: Record<string, unknown> } } }).WebAssembly;
const memoryOf = (binary: Uint8Array) => new WA.Instance(new WA.Module(binary)).exports.memory as Memory;

describe('limitWasmMemory', () => {
  it('lowers the maximum so that growing past it fails', () => {
    const r = limitWasmMemory(tiny, 3 * PAGE);
    expect(r).toMatchObject({ initialBytes: PAGE, maximumBytes: 3 * PAGE });
    const memory = memoryOf(r.binary);
    memory.grow(2);
    expect(memory.buffer.byteLength).toBe(3 * PAGE);
    expect(() => memory.grow(1)).toThrow(RangeError);
    // The original allows it.
    memoryOf(tiny).grow(50);
  });

  it('never goes below the initial size, nor above the declared maximum', () => {
    expect(limitWasmMemory(tiny, 10).maximumBytes).toBe(PAGE);
    expect(limitWasmMemory(tiny, 512 * 1024 * 1024).maximumBytes).toBe(100 * PAGE);
  });

  it('writes multi-byte sizes, up to the 4 GiB a 32-bit memory can have', () => {
    const noMax = Uint8Array.from([...tiny.subarray(0, 8), 0x05, 0x03, 0x01, 0x00, 0x01, ...tiny.subarray(14)]);
    expect(limitWasmMemory(noMax, 512 * 1024 * 1024).maximumBytes).toBe(512 * 1024 * 1024);
    expect(memoryOf(limitWasmMemory(noMax, 512 * 1024 * 1024).binary).grow(8000)).toBe(1);
    expect(limitWasmMemory(noMax, 16 * 1024 ** 3).maximumBytes).toBe(4 * 1024 ** 3);
  });

  it("limits PDFium's own module to the parser's budget", () => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@hyzyla/pdfium/pdfium.wasm'));
    const r = limitWasmMemory(wasm, 256 * 1024 * 1024);
    expect(r.maximumBytes).toBe(256 * 1024 * 1024);
    expect(r.initialBytes).toBeLessThan(64 * 1024 * 1024);
    expect(WA.validate(r.binary)).toBe(true);
    // The largest parser budget the CRD allows (16 GiB) keeps the 2 GiB PDFium is built with.
    expect(limitWasmMemory(wasm, 16 * 1024 ** 3).maximumBytes).toBe(2 * 1024 ** 3);
  });

  it('refuses what it cannot limit', () => {
    expect(() => limitWasmMemory(Uint8Array.from([1, 2, 3, 4]), PAGE)).toThrow(/not a WebAssembly module/);
    expect(() => limitWasmMemory(tiny.subarray(0, 8), PAGE)).toThrow(/defines no memory/);
  });
});
