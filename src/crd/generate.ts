// Writes crds/*.yaml from the TypeScript definitions: `npm run gen:crds`.
import { writeFileSync } from 'node:fs';
import { crdFiles } from './crd-files.ts';

for (const { path, content } of crdFiles()) {
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
