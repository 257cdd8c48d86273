// A page that is one scanned image at the resolution asked, read as the image itself: decoding it
// costs PDFium half of what rendering the page does, and the pixels are the same. Any page that
// rendering could draw differently (turned, flipped, clipped, annotated, transparent, masked, a
// stencil, or an image at another resolution) is left to the renderer.
import type { PdfiumRenderApi } from './pdfium-render.ts';

/** The part of PDFium's C API used here. */
export interface PdfiumImageApi {
  _FPDFPage_GetRotation(page: number): number;
  _FPDFPage_GetAnnotCount(page: number): number;
  _FPDFPageObj_HasTransparency(obj: number): number;
  _FPDFPageObj_GetMatrix(obj: number, matrix: number): number;
  _FPDFPageObj_GetClipPath(obj: number): number;
  _FPDFClipPath_CountPaths(clip: number): number;
  _FPDFPageObj_CountMarks(obj: number): number;
  _FPDFPageObj_GetMark(obj: number, index: number): number;
  _FPDFPageObjMark_GetName(mark: number, buffer: number, length: number, written: number): number;
  _FPDFImageObj_GetImageMetadata(obj: number, page: number, metadata: number): number;
  _FPDFImageObj_GetBitmap(obj: number): number;
  _FPDFBitmap_GetFormat(bitmap: number): number;
  _FPDFBitmap_GetWidth(bitmap: number): number;
  _FPDFBitmap_GetHeight(bitmap: number): number;
}

const OBJ_IMAGE = 3;
const COLORSPACE_UNKNOWN = 0; // what PDFium reports of a stencil mask, which takes the fill colour
/** Points the image may be off the page's edges, and pixels off the size asked. */
const EDGE_POINTS = 0.5;
const EDGE_PIXELS = 1;
/** Bytes a pixel of FPDF_BITMAP's formats: gray, BGR, BGRx, BGRA. */
const BYTES: Record<number, number> = { 1: 1, 2: 3, 3: 4, 4: 4 };

/**
 * Whether any image of `pdf` may be masked (/SMask, /Mask) or hidden by its own /OC, which
 * PDFium's FPDFImageObj_GetBitmap does not apply and no call of its API tells. An image is a
 * stream, whose dictionary is never inside a compressed object stream, so its keys are in the
 * file as written. (Optional content around an image, in the page's content, is its marks.)
 */
export function mayMaskImages(pdf: Uint8Array): boolean {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  return ['/SMask', '/Mask', '/OC'].some((key) => bytes.includes(key, 0, 'latin1'));
}

/** Whether `obj` sits in marked content of an optional content group (`/OC … BDC`), which may hide it. */
function inOptionalContent(api: PdfiumRenderApi & PdfiumImageApi, obj: number): boolean {
  const marks = api._FPDFPageObj_CountMarks(obj);
  if (marks <= 0) return false;
  const name = api.wasmExports.malloc(68);
  try {
    for (let i = 0; i < marks; i++) {
      const mark = api._FPDFPageObj_GetMark(obj, i);
      if (!mark || !api._FPDFPageObjMark_GetName(mark, name, 64, name + 64)) return true;
      const bytes = Math.min(64, new DataView(api.HEAPU8.buffer, name + 64, 4).getUint32(0, true));
      if (Buffer.from(api.HEAPU8.subarray(name, name + bytes)).toString('utf16le').replace(/\0+$/, '') === 'OC') return true;
    }
    return false;
  } finally {
    api.wasmExports.free(name);
  }
}

/** The page's only object when it is an image that fills the page upright at `width` x `height` pixels. */
function fullPageImage(api: PdfiumRenderApi & PdfiumImageApi, page: number, width: number, height: number, scratch: number): number | undefined {
  if (api._FPDFPage_GetRotation(page) !== 0 || api._FPDFPage_GetAnnotCount(page) !== 0) return undefined;
  if (api._FPDFPage_CountObjects(page) !== 1) return undefined;
  const obj = api._FPDFPage_GetObject(page, 0);
  if (api._FPDFPageObj_GetType(obj) !== OBJ_IMAGE || api._FPDFPageObj_HasTransparency(obj) || inOptionalContent(api, obj)) return undefined;
  const clip = api._FPDFPageObj_GetClipPath(obj);
  if (clip && api._FPDFClipPath_CountPaths(clip) > 0) return undefined;
  if (!api._FPDFPageObj_GetMatrix(obj, scratch)) return undefined;
  const [a, b, c, d, e, f] = new Float32Array(api.HEAPU8.buffer, scratch, 6);
  const near = (x: number | undefined, y: number) => x !== undefined && Math.abs(x - y) <= EDGE_POINTS;
  if (!near(b, 0) || !near(c, 0) || !near(e, 0) || !near(f, 0)) return undefined;
  if (!near(a, api._FPDF_GetPageWidthF(page)) || !near(d, api._FPDF_GetPageHeightF(page))) return undefined;
  if (!api._FPDFImageObj_GetImageMetadata(obj, page, scratch)) return undefined;
  const meta = new DataView(api.HEAPU8.buffer, scratch, 28);
  const [w, h, colorspace] = [meta.getUint32(0, true), meta.getUint32(4, true), meta.getInt32(20, true)];
  if (colorspace === COLORSPACE_UNKNOWN) return undefined;
  return Math.abs(w - width) <= EDGE_PIXELS && Math.abs(h - height) <= EDGE_PIXELS ? obj : undefined;
}

/**
 * The page's image in PNG's row layout (see RenderedPage.rows) at `rows` in PDFium's memory,
 * which holds (width + 2) x (height + 1) bytes for the `width` x `height` asked (an image may be a
 * pixel larger: the page's size in points rounds); its size, or undefined when the page must be
 * rendered.
 */
export function readScanImage(api: PdfiumRenderApi & PdfiumImageApi, page: number, width: number, height: number, rows: number): { width: number; height: number } | undefined {
  const scratch = api.wasmExports.malloc(32);
  let bitmap = 0;
  try {
    const obj = fullPageImage(api, page, width, height, scratch);
    if (obj === undefined) return undefined;
    bitmap = api._FPDFImageObj_GetBitmap(obj);
    if (!bitmap) return undefined;
    const [w, h, bytes] = [api._FPDFBitmap_GetWidth(bitmap), api._FPDFBitmap_GetHeight(bitmap), BYTES[api._FPDFBitmap_GetFormat(bitmap)]];
    if (bytes === undefined || w > width + EDGE_PIXELS || h > height + EDGE_PIXELS) return undefined;
    const heap = api.HEAPU8;
    const src = api._FPDFBitmap_GetBuffer(bitmap);
    const stride = api._FPDFBitmap_GetStride(bitmap);
    for (let y = 0; y < h; y++) {
      let to = rows + y * (w + 1);
      heap[to++] = 0;
      const from = src + y * stride;
      if (bytes === 1) heap.copyWithin(to, from, from + w);
      // PDFium's own gray of a colour (FXRGB2GRAY), so that a gray image reads back unchanged.
      else for (let x = 0, p = from; x < w; x++, p += bytes) heap[to++] = (heap[p]! * 11 + heap[p + 1]! * 59 + heap[p + 2]! * 30) / 100;
    }
    return { width: w, height: h };
  } finally {
    if (bitmap) api._FPDFBitmap_Destroy(bitmap);
    api.wasmExports.free(scratch);
  }
}
