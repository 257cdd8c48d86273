// Multipart bodies written by hand (no vitest here: the benchmarks use it too).
/** The multipart envelope of an upload written by hand: the fields, then the file part's header. */
export function multipartParts(boundary: string, fields: Record<string, string>, filename = 'raw.pdf'): { head: Buffer; tail: Buffer } {
  const f = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  return {
    head: Buffer.from(`${f}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}
