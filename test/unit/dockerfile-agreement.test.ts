// The image `npm start` and the e2e tests assemble without Docker (dev/src/images/sluice-image.ts)
// and the Dockerfile users build must be the same image as far as a pod can tell: user, working
// directory, entry point, command, environment, where the app lies and the commands it needs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_UID } from '../../src/controller/builders/security.ts';
import { DEFAULT_IMAGE } from '../../src/controller/constants.ts';
import { disagreements, finalStage, type ImageFacts } from '@sluice/devenv/images/dockerfile';
import { APP_PATHS, BINARIES, OCR_PACKAGES, PASSWD, SLUICE_IMAGE, SLUICE_IMAGE_CONFIG } from '@sluice/devenv/images/sluice-image';
import { OCR_LANGUAGES } from '../../src/crd/ocr.ts';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const ours: ImageFacts = { config: SLUICE_IMAGE_CONFIG, paths: [...Object.values(APP_PATHS), ...Object.values(BINARIES)] };

describe('the Dockerfile and the image assembled without Docker', () => {
  it('agree on user, workdir, entry point, command, environment, app paths and required commands', () => {
    const stage = finalStage(dockerfile);
    // The parser read what there is to compare, so an empty list below means agreement.
    expect(stage.user).toBe('1000:1000');
    expect(stage.entrypoint).toEqual(['node', 'dist/main.js']);
    expect(stage.env.NODE_ENV).toBe('production');
    expect(stage.copies.sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
    expect(stage.requiredCommands).toEqual(['prlimit', 'tesseract']);
    expect(disagreements(stage, ours)).toEqual([]);
  });

  it('carry the OCR language data the CRD offers, from the same Debian packages', () => {
    for (const pkg of OCR_PACKAGES.filter((p) => p !== 'tesseract-ocr-osd')) expect(dockerfile).toMatch(new RegExp(`\\b${pkg}\\b`));
    expect(OCR_PACKAGES).toEqual(['tesseract-ocr', 'tesseract-ocr-osd', ...OCR_LANGUAGES.map((l) => `tesseract-ocr-${l}`)]);
  });

  it('run Node of the same major version', () => {
    const major = /^node:(\d+)/.exec(finalStage(dockerfile).from)?.[1];
    const pinned = (JSON.parse(readFileSync(new URL('../../node_modules/node/package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(major).toBe('24');
    expect(pinned.split('.')[0]).toBe(major);
  });

  it('run as the uid the operator gives its pods, which the image names in /etc/passwd', () => {
    expect(SLUICE_IMAGE_CONFIG.User).toBe(`${APP_UID}:${APP_UID}`);
    expect(PASSWD).toContain(`:x:${APP_UID}:${APP_UID}:`);
    expect(SLUICE_IMAGE).toBe(DEFAULT_IMAGE);
  });

  it('reports each difference, naming the instruction', () => {
    const changed = dockerfile
      .replace('USER 1000:1000', 'USER 0:0')
      .replace('CMD ["controller"]', 'CMD ["api"]')
      .replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production TZ=UTC')
      .replace('RUN command -v prlimit && command -v tesseract', 'RUN command -v prlimit && command -v tesseract && command -v curl')
      .replace('COPY package.json ./', 'COPY package.json README.md ./');
    expect(disagreements(finalStage(changed), ours)).toEqual([
      'USER: Dockerfile "0:0", image "1000:1000"',
      'CMD: Dockerfile ["api"], image ["controller"]',
      'ENV TZ: Dockerfile "UTC", image undefined',
      'COPY puts /app/README.md, which the image lacks',
      'RUN requires curl, which is not on the image\'s PATH',
    ]);
  });

  it('reads only the final stage', () => {
    const stage = finalStage('FROM a AS x\nWORKDIR /build\nUSER 5\nFROM b\nWORKDIR app\nCMD ["x"]\n');
    expect(stage).toMatchObject({ from: 'b', workdir: '/app', cmd: ['x'] });
    expect(stage.user).toBeUndefined();
  });
});
