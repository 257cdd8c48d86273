import { describe, expect, it } from 'vitest';
import { classifyParseError } from '../../../src/worker/parse-child.ts';
import { classifyChildExit } from '../../../src/worker/parser.ts';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('classifying parser failures', () => {
  it.each([
    [named('PasswordException', 'No password given'), 'Encrypted'],
    [named('InvalidPDFException', 'Invalid PDF structure.'), 'Corrupt'],
    [named('FormatError', 'Bad FCHECK in flate stream'), 'Corrupt'],
    [named('UnknownErrorException', 'Array buffer allocation failed'), 'OutOfMemory'],
    [new RangeError('Invalid typed array length: 4294967296'), 'OutOfMemory'],
    [new TypeError('something else'), 'Corrupt'],
  ])('%s → %s', (err, type) => {
    expect(classifyParseError(err).type).toBe(type);
  });

  it.each([
    [null, 'SIGKILL', '', true, 'Timeout'],
    [null, 'SIGABRT', 'FATAL ERROR: Reached heap limit', false, 'OutOfMemory'],
    [134, null, '', false, 'OutOfMemory'],
    [1, null, 'Fatal process out of memory: Failed to reserve virtual memory', false, 'OutOfMemory'],
    [1, null, 'SyntaxError: nope', false, 'Unknown'],
  ] as const)('exit %s / %s / %j (timed out: %s) → %s', (code, signal, stderr, timedOut, type) => {
    expect(classifyChildExit(code, signal, stderr, timedOut).type).toBe(type);
  });
});
