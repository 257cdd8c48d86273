// What OCR needs of PDFium: how much of a page its images cover, and the page in gray.
// Through PDFium's C API, as the extractor reads text (pdfium-extractor.ts).
import type { RenderedPage } from './extractor.ts';
import { readScanImage, type PdfiumImageApi } from './pdfium-scan-image.ts';

/** The part of PDFium's C API used here. */
export interface PdfiumRenderApi {
  _FPDF_LoadPage(doc: number, index: number): number;
  _FPDF_ClosePage(page: number): void;
  _FPDF_GetPageWidthF(page: number): number;
  _FPDF_GetPageHeightF(page: number): number;
  _FPDFPage_CountObjects(page: number): number;
  _FPDFPage_GetObject(page: number, index: number): number;
  _FPDFPageObj_GetType(obj: number): number;
  _FPDFPageObj_GetBounds(obj: number, left: number, bottom: number, right: number, top: number): number;
  _FPDFFormObj_CountObjects(form: number): number;
  _FPDFFormObj_GetObject(form: number, index: number): number;
  _FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number;
  _FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): number;
  _FPDFBitmap_GetBuffer(bitmap: number): number;
  _FPDFBitmap_GetStride(bitmap: number): number;
  _FPDFBitmap_Destroy(bitmap: number): void;
  _FPDF_RenderPageBitmap(bitmap: number, page: number, x: number, y: number, width: number, height: number, rotate: number, flags: number): void;
  wasmExports: { malloc(size: number): number; free(ptr: number): void };
  HEAPU8: Uint8Array;
}

const OBJ_IMAGE = 3;
const OBJ_FORM = 5;
const BITMAP_GRAY = 1;
const RENDER_ANNOTATIONS = 0x01;
const WHITE = 0xffffffff;

/** Bounds (left, bottom, right, top) of an object, or undefined when PDFium cannot tell. */
function bounds(api: PdfiumRenderApi, obj: number, scratch: number): [number, number, number, number] | undefined {
  if (!api._FPDFPageObj_GetBounds(obj, scratch, scratch + 4, scratch + 8, scratch + 12)) return undefined;
  const f = new Float32Array(api.HEAPU8.buffer, scratch, 4);
  return [f[0]!, f[1]!, f[2]!, f[3]!];
}

/** The area of the images among `count` objects got by `get`, in forms too (at their form's bounds). */
function imageArea(api: PdfiumRenderApi, count: number, get: (i: number) => number, scratch: number, depth: number): number {
  let area = 0;
  for (let i = 0; i < count; i++) {
    const obj = get(i);
    const type = api._FPDFPageObj_GetType(obj);
    const holdsImage = type === OBJ_IMAGE || (type === OBJ_FORM && depth < 4 && imageArea(api, api._FPDFFormObj_CountObjects(obj), (k) => api._FPDFFormObj_GetObject(obj, k), scratch, depth + 1) > 0);
    if (!holdsImage) continue;
    const b = bounds(api, obj, scratch);
    if (b) area += Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  }
  return area;
}

export function withPage<T>(api: PdfiumRenderApi, doc: number, n: number, fn: (page: number) => T): T {
  const page = api._FPDF_LoadPage(doc, n - 1);
  if (!page) throw new Error(`page ${n} could not be loaded`);
  try {
    return fn(page);
  } finally {
    api._FPDF_ClosePage(page);
  }
}

/** The share of the page (0 to 1) its images cover. */
export function imageCoverage(api: PdfiumRenderApi, page: number): number {
  const pageArea = api._FPDF_GetPageWidthF(page) * api._FPDF_GetPageHeightF(page);
  if (!(pageArea > 0)) return 0;
  const scratch = api.wasmExports.malloc(16);
  try {
    return Math.min(1, imageArea(api, api._FPDFPage_CountObjects(page), (i) => api._FPDFPage_GetObject(page, i), scratch, 0) / pageArea);
  } finally {
    api.wasmExports.free(scratch);
  }
}

/**
 * The page in gray at `dpi` (scaled down to at most `maxPixels`), handed to `use`: read from its
 * image when it is one scan at that resolution and `readImages` (pdfium-scan-image.ts), else
 * rendered. Its rows are in PDFium's memory, freed when `use` returns. Throws when PDFium cannot
 * allocate them.
 */
export function renderGray<T>(api: PdfiumRenderApi & PdfiumImageApi, page: number, dpi: number, maxPixels: number, readImages: boolean, use: (page: RenderedPage) => T): T {
  const f = Math.min(1, Math.sqrt(maxPixels / Math.max(1, ((api._FPDF_GetPageWidthF(page) * dpi) / 72) * ((api._FPDF_GetPageHeightF(page) * dpi) / 72))));
  const scaledDown = f < 1;
  const effectiveDpi = dpi * f;
  let width = Math.max(1, Math.floor((api._FPDF_GetPageWidthF(page) * effectiveDpi) / 72));
  let height = Math.max(1, Math.floor((api._FPDF_GetPageHeightF(page) * effectiveDpi) / 72));
  const rows = api.wasmExports.malloc((width + 2) * (height + 1));
  if (!rows) throw new Error(`could not allocate a ${width} x ${height} bitmap`);
  try {
    const scan = scaledDown || !readImages ? undefined : readScanImage(api, page, width, height, rows);
    if (scan) [width, height] = [scan.width, scan.height];
    else renderInto(api, page, width, height, rows);
    const bytes = (width + 1) * height;
    return use({ width, height, rows: api.HEAPU8.subarray(rows, rows + bytes), scaledDown, dpi: Math.max(1, Math.round(effectiveDpi)), fromImage: scan !== undefined });
  } finally {
    api.wasmExports.free(rows);
  }
}

/** Renders the page into `rows`, each row's pixels after its filter byte. */
function renderInto(api: PdfiumRenderApi, page: number, width: number, height: number, rows: number): void {
  const bitmap = api._FPDFBitmap_CreateEx(width, height, BITMAP_GRAY, rows + 1, width + 1);
  if (!bitmap) throw new Error(`could not allocate a ${width} x ${height} bitmap`);
  try {
    api._FPDFBitmap_FillRect(bitmap, 0, 0, width, height, WHITE);
    api._FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, RENDER_ANNOTATIONS);
  } finally {
    api._FPDFBitmap_Destroy(bitmap);
  }
  const heap = api.HEAPU8;
  for (let y = 0; y < height; y++) heap[rows + y * (width + 1)] = 0;
}
