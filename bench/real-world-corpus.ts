// A corpus of real-world PDFs that Sluice did not make: the PDFs that Debian's documentation
// packages ship (manuals and reference cards typeset by pdfTeX, dvipdfmx, xdvipdfmx, Apache FOP,
// groff's gropdf, ReportLab, Ghostscript, ImageMagick and Acrobat Distiller). Fetched with
// `apt-get download` on first use and cached under ~/.cache/sluice/bench-corpus; needs apt-get and
// dpkg-deb (Debian and Ubuntu) and poppler's pdfinfo, like the benchmark that uses it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { CorpusFile } from './corpus.ts';

const run = promisify(execFile);

/** Documentation packages of Debian 12 that ship PDFs, a few MB each. */
export const DEBIAN_DOC_PACKAGES = [
  'asymptote-doc',
  'debian-policy',
  'glpk-doc',
  'gnuplot-doc',
  'groff',
  'pari-doc',
  'python-reportlab-doc',
  'r-doc-pdf',
  'texlive-fonts-recommended-doc',
] as const;

/** Longer documents are left out, so that one (R's 2,415-page reference) does not outweigh the rest. */
const MAX_PAGES = 500;
const DIR = join(homedir(), '.cache', 'sluice', 'bench-corpus', 'debian-docs-v1');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() && /\.pdf(\.gz)?$/.test(e.name) ? [p] : [];
  });
}

async function fetchPackage(pkg: string): Promise<string> {
  const tree = join(DIR, 'tree', pkg);
  if (existsSync(join(tree, '.done'))) return tree;
  const debs = join(DIR, 'debs');
  mkdirSync(debs, { recursive: true });
  mkdirSync(tree, { recursive: true });
  try {
    await run('apt-get', ['download', pkg], { cwd: debs });
  } catch (err) {
    throw new Error(`apt-get download ${pkg} failed (run apt-get update first?): ${(err as Error).message}`, { cause: err });
  }
  const deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${debs}`);
  await run('dpkg-deb', ['-x', join(debs, deb), tree]);
  writeFileSync(join(tree, '.done'), deb);
  return tree;
}

async function pageCount(path: string): Promise<number> {
  const { stdout } = await run('pdfinfo', [path]);
  const m = /^Pages:\s+(\d+)/m.exec(stdout);
  return m ? Number(m[1]) : 0;
}

export interface RealWorldFile extends CorpusFile {
  /** package/file name, for the report. */
  name: string;
}

/**
 * Up to `docs` distinct PDFs of 1 to 500 pages, taken in turn from each package (its files in
 * path order), so that every producer is represented; the same selection on every run.
 */
export async function realWorldCorpus(docs: number): Promise<{ files: RealWorldFile[]; packages: string[] }> {
  const pdfDir = join(DIR, 'pdf');
  mkdirSync(pdfDir, { recursive: true });
  const perPackage: RealWorldFile[][] = [];
  const seen = new Set<string>();
  const packages: string[] = [];
  for (const pkg of DEBIAN_DOC_PACKAGES) {
    const tree = await fetchPackage(pkg);
    packages.push(readFileSync(join(tree, '.done'), 'utf8').replace(/\.deb$/, ''));
    const list: RealWorldFile[] = [];
    for (const src of walk(tree).sort()) {
      if (statSync(src).size < 1024) continue;
      const raw = readFileSync(src);
      const bytes = src.endsWith('.gz') ? gunzipSync(raw) : raw;
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(sha)) continue;
      seen.add(sha);
      const name = `${pkg}/${basename(src).replace(/\.gz$/, '')}`;
      const path = join(pdfDir, `${sha.slice(0, 12)}-${basename(name)}`);
      if (!existsSync(path)) writeFileSync(path, bytes);
      const pages = await pageCount(path);
      if (pages >= 1 && pages <= MAX_PAGES) list.push({ name, path, pages });
    }
    perPackage.push(list);
  }
  const files: RealWorldFile[] = [];
  for (let i = 0; files.length < docs && perPackage.some((l) => l.length > i); i++) {
    for (const l of perPackage) if (l[i] && files.length < docs) files.push(l[i]!);
  }
  return { files, packages };
}
