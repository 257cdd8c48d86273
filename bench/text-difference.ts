// How far one extractor's text of a page is from a reference text (pdftotext's): the characters
// of both are compared as multisets after Unicode NFKC (so a ligature "ﬁ" counts as "fi") with all
// whitespace removed, so reading order and line breaks do not count, only characters missing or
// extra. The difference is (missing + extra) / the reference's character count.

function counts(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of s.normalize('NFKC').replace(/\s+/gu, '')) m.set(c, (m.get(c) ?? 0) + 1);
  return m;
}

/** (missing + extra characters) / characters of the reference; 0 when both are empty. */
export function charDifference(text: string, reference: string): number {
  const a = counts(text);
  const r = counts(reference);
  let total = 0;
  let diff = 0;
  for (const [c, n] of r) {
    total += n;
    diff += Math.abs(n - (a.get(c) ?? 0));
  }
  for (const [c, n] of a) if (!r.has(c)) diff += n;
  if (total === 0) return diff === 0 ? 0 : Infinity;
  return diff / total;
}
