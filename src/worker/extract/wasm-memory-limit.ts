// Gives a WebAssembly module's own memory a smaller maximum, by rewriting the limits in its
// memory section. PDFium's build declares a 2 GiB maximum, and V8 reserves the whole maximum as
// address space when the module is instantiated (without the trap handler; 8 GiB and more with
// it). The parser process's RLIMIT_AS is set after start-up above what is then mapped, so it
// cannot bound growth inside a reservation made before it: the declared maximum is the bound.
// With a lower maximum, growing past it fails inside the module (malloc returns NULL) instead.

const MEMORY_SECTION = 5;
const WASM_PAGE = 64 * 1024;
/** 4 GiB: the most a 32-bit memory can have. */
const MAX_PAGES = 65536;

function readLeb(buf: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated LEB128 in WebAssembly module');
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return { value, next: pos };
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/**
 * A copy of `module` whose single, non-shared 32-bit memory has a maximum of `maxBytes` (rounded
 * down to 64 KiB pages, never below its initial size nor above its declared maximum). Returns the
 * initial and new maximum, in bytes.
 */
export function limitWasmMemory(module: Uint8Array, maxBytes: number): { binary: Uint8Array; initialBytes: number; maximumBytes: number } {
  if (module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) throw new Error('not a WebAssembly module');
  let pos = 8;
  while (pos < module.length) {
    const id = module[pos]!;
    const size = readLeb(module, pos + 1);
    const start = size.next;
    const end = start + size.value;
    if (id === MEMORY_SECTION) {
      const count = readLeb(module, start);
      if (count.value !== 1) throw new Error(`expected one memory, found ${count.value}`);
      const flags = module[count.next];
      if (flags !== 0 && flags !== 1) throw new Error(`unsupported memory limits flags ${flags} (shared or 64-bit memory)`);
      const min = readLeb(module, count.next + 1);
      // Never above what the module declares (PDFium's JavaScript glue refuses to grow past it
      // anyway), nor above what a 32-bit memory can address.
      const declared = flags === 1 ? readLeb(module, min.next).value : MAX_PAGES;
      const pages = Math.max(min.value, Math.min(declared, MAX_PAGES, Math.floor(maxBytes / WASM_PAGE)));
      const body = [1, 1, ...leb(min.value), ...leb(pages)];
      const section = Uint8Array.from([MEMORY_SECTION, ...leb(body.length), ...body]);
      const binary = new Uint8Array(pos + section.length + (module.length - end));
      binary.set(module.subarray(0, pos), 0);
      binary.set(section, pos);
      binary.set(module.subarray(end), pos + section.length);
      return { binary, initialBytes: min.value * WASM_PAGE, maximumBytes: pages * WASM_PAGE };
    }
    pos = end;
  }
  throw new Error('the WebAssembly module defines no memory (an imported one cannot be limited here)');
}
