// How `kubectl sluice` shows progress: a bar, counts, a rate and an ETA, as text. Pure.

/** A bar of `width` cells for a share from 0 to 1: full cells, a partial cell in eighths, blanks. */
export function bar(fraction: number, width = 24): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return '█'.repeat(full) + (part ? ' ▏▎▍▌▋▊▉'[part]! : '') + ' '.repeat(width - full - (part ? 1 : 0));
}

/** Seconds as a person reads them: 45s, 3m12s, 1h05m, 2d03h; "-" when unknown. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** A rate of `unit`s a second, a minute when under one a second; "-" when unknown. */
export function rate(perSecond: number | undefined, unit: string): string {
  if (perSecond === undefined || !Number.isFinite(perSecond) || perSecond < 0) return '-';
  if (perSecond === 0) return `0 ${unit}/s`;
  if (perSecond < 1) return `${round(perSecond * 60)} ${unit}/min`;
  return `${round(perSecond)} ${unit}/s`;
}

/** Bytes in decimal units, as uploads are measured: 950 B, 1.2 MB, 3.4 GB. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${round(v)} ${units[i]}`;
}

/** Three significant digits at most, no trailing zeros: 12.3, 0.5, 240. */
function round(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
}

/**
 * Seconds left at `perSecond`, from `done` of `total`: undefined until something has been done
 * at a known rate, 0 when finished.
 */
export function eta(done: number, total: number, perSecond: number | undefined): number | undefined {
  if (total > 0 && done >= total) return 0;
  if (!perSecond || perSecond <= 0 || !Number.isFinite(perSecond)) return undefined;
  return (total - done) / perSecond;
}
