// Structured JSON logs on stderr.
import type { Logger } from './informer.ts';

export function jsonLogger(component: string): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...fields })}\n`);
  return { info: (m, f) => write('info', m, f), error: (m, f) => write('error', m, f) };
}
