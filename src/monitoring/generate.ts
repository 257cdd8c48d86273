// Writes manifests/monitoring/*.yaml from the TypeScript definitions: `npm run gen:monitoring`.
import { writeFileSync } from 'node:fs';
import { monitoringFiles } from './monitoring-files.ts';

for (const { path, content } of monitoringFiles()) {
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
