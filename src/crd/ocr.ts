// OCR of pages without a text layer: its modes, the languages the worker image ships, and the
// schemas of spec.workers.ocr (a cluster) and spec.ocr (a job's override).
import { arr, enumOf, int, obj, optional, type Static } from './schema.ts';

export const OCR_MODES = ['Off', 'Auto', 'Force'] as const;
export type OcrMode = (typeof OCR_MODES)[number];

/** The Tesseract language data the worker image carries (Debian's tesseract-ocr-<lang>). */
export const OCR_LANGUAGES = ['eng', 'deu', 'fra', 'spa'] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];

const modeDescription =
  'Off: pages without a text layer stay without text. Auto: a page whose text layer is empty, or holds fewer characters than its images cover of the page calls for, is rendered and recognised; pages with text never are. Force: every page is recognised, its text layer ignored.';
const languagesDescription = (dflt: string) =>
  `Tesseract languages to recognise, together (${OCR_LANGUAGES.join(', ')}: the language data the worker image carries)${dflt}.`;

const languages = (withDefault: boolean) =>
  arr(enumOf(OCR_LANGUAGES, { description: 'A Tesseract language.' }), {
    description: languagesDescription(withDefault ? '' : "; the cluster's when left out"),
    minItems: 1,
    maxItems: 4,
    listType: 'set',
    ...(withDefault ? { default: ['eng'] } : {}),
  });

export const clusterOcr = () =>
  obj(
    {
      mode: enumOf(OCR_MODES, { description: modeDescription, default: 'Auto' }),
      languages: languages(true),
      dpi: int({ description: 'Resolution pages are rendered at for recognition.', minimum: 72, maximum: 600, default: 300 }),
      maxPagesPerDocument: int({
        description: 'Pages of one document recognised at most; the rest are left without text, and counted in the document.',
        minimum: 1,
        maximum: 5000,
        default: 500,
      }),
      timeoutSecondsPerPage: int({ description: "Wall-clock limit for one page's recognition; the page is left without text past it.", minimum: 1, maximum: 600, default: 60 }),
    },
    { description: 'OCR of pages without a text layer (scanned pages), with Tesseract.', default: {} },
  );

export const jobOcr = () =>
  obj(
    {
      mode: optional(enumOf(OCR_MODES, { description: `${modeDescription} The cluster's when left out.` })),
      languages: optional(languages(false)),
    },
    { description: "This job's OCR mode and languages, instead of its cluster's." },
  );

export type ClusterOcr = Static<ReturnType<typeof clusterOcr>>;
