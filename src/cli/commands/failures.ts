// `kubectl sluice failures ij/NAME`: the job's failed documents with their typed errors, as the
// operator keeps the last 20 of them in status.lastFailures.
import type { IngestionJob } from '../../crd/ingestion-job.ts';

export function failureLines(job: IngestionJob, json: boolean): string {
  const failures = job.status?.lastFailures ?? [];
  if (json) return `${JSON.stringify(failures)}\n`;
  const failed = job.status?.counts?.failed ?? failures.length;
  if (!failures.length) return `ij/${job.metadata.name}: no failed documents\n`;
  const lines = failures.map((f) => `${f.errorType}\t${f.source ?? f.document}\t${(f.message ?? '').replace(/\s+/g, ' ')}`);
  const more = failed > failures.length ? [`(the last ${failures.length} of ${failed} failed documents)`] : [];
  return `${['TYPE\tSOURCE\tMESSAGE', ...lines, ...more].join('\n')}\n`;
}
