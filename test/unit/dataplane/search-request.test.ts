// POST /v1/search's body: defaults from the cluster, and refusals naming the field.
import { describe, expect, it } from 'vitest';
import { parseSearchRequest } from '../../../src/api/search/search-request.ts';
import { lexicalText } from '../../../src/shared/lexical-text.ts';

const defaults = { mode: 'hybrid' as const, vectorWeight: 0.1 };
const parse = (body: Record<string, unknown>) => parseSearchRequest({ collection: 'docs', query: 'q', ...body }, defaults);

describe('a search request', () => {
  it('takes the cluster’s mode and weight, 10 results and no filters by default', () => {
    expect(parse({})).toEqual({ collection: 'docs', query: 'q', limit: 10, mode: 'hybrid', vectorWeight: 0.1, filters: {} });
  });

  it('carries its own mode, weight and filters', () => {
    const id = '6f1c1f3e-8d3a-4a5e-9a47-2a3b4c5d6e7f';
    expect(parse({ mode: 'lexical', vectorWeight: 0.7, limit: 3, documentId: id, job: 'j1', source: 's3://b/hr/', metadata: { team: 'hr', year: 2026, final: true } })).toEqual({
      collection: 'docs',
      query: 'q',
      limit: 3,
      mode: 'lexical',
      vectorWeight: 0.7,
      filters: { documentId: id, job: 'j1', sourcePrefix: 's3://b/hr/', metadata: { team: 'hr', year: 2026, final: true } },
    });
  });

  it.each([
    [{ collection: '../x' }, 'InvalidCollection', 'collection must be a valid collection name'],
    [{ query: '  ' }, 'InvalidQuery', 'query must be a non-empty string of at most 8192 characters'],
    [{ limit: 101 }, 'InvalidLimit', 'limit must be an integer from 1 to 100'],
    [{ mode: 'semantic' }, 'InvalidMode', 'mode must be one of hybrid, vector, lexical'],
    [{ vectorWeight: -0.1 }, 'InvalidVectorWeight', 'vectorWeight must be a number from 0 to 1'],
    [{ documentId: 'abc' }, 'InvalidDocumentId', 'documentId must be a UUID'],
    [{ job: '' }, 'InvalidJob', 'job must be a string of 1 to 253 characters'],
    [{ source: 7 }, 'InvalidSource', 'source must be a string of 1 to 2048 characters'],
    [{ metadata: [] }, 'InvalidMetadata', 'metadata must be an object of keys to match exactly'],
    [{ metadata: {} }, 'InvalidMetadata', 'metadata must name 1 to 32 keys'],
    [{ metadata: { team: null } }, 'InvalidMetadata', 'metadata.team must be a string, a number or a boolean'],
  ])('refuses %j with %s', (body, code, message) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ status: 400, code, message }));
  });
});

describe('the lexical index’s text', () => {
  it.each([
    ['/usr/share/doc/gnuplot', 'usr share doc gnuplot'],
    ['built-in R-project v3.6.12', 'built in R project v3 6 12'],
    ['e-mail: a.b@example.org', 'e mail a b example org'],
    ['Grüße, 東京 & naïve', 'Grüße 東京 naïve'],
  ])('reads %j as %j', (text, words) => {
    expect(lexicalText(text)).toBe(words);
  });
});
