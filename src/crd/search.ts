// How a cluster searches: the modes of POST /v1/search and the text-search configurations
// (PostgreSQL's built-in ones) its collections' lexical index may use.
export const SEARCH_MODES = ['hybrid', 'vector', 'lexical'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/**
 * PostgreSQL's built-in text-search configurations. `simple` lower-cases words and keeps them
 * whole, in any language and script; the others also stem and drop their language's stopwords.
 */
export const SEARCH_LANGUAGES = [
  'simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch', 'english', 'finnish', 'french', 'german', 'greek', 'hindi', 'hungarian',
  'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese', 'romanian', 'russian', 'serbian', 'spanish', 'swedish',
  'tamil', 'turkish', 'yiddish',
] as const;
export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/**
 * The vector leg's weight in hybrid fusion when the cluster sets none: the Offline embedder's
 * vectors capture word overlap only, which the lexical leg ranks better, so they only break its
 * ties; a model's vectors also find what shares no words with the query, and weigh as much as the
 * lexical leg (docs/benchmarks.md, bench:search).
 */
export const defaultVectorWeight = (provider: string): number => (provider === 'Offline' ? 0.1 : 0.5);
