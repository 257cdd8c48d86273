// The process edge of the API and worker entry points: run until the role stops (after
// SIGTERM), then exit 0; exit 1 with a structured log line if it fails.
import { errorFields } from './logger.ts';

export function runMain(role: string, run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(JSON.stringify({ level: 'error', msg: `${role} crashed`, ...errorFields(err) }));
      process.exit(1);
    },
  );
}
