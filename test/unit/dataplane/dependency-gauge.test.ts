import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { registerDependencyGauge } from '../../../src/shared/dependency-gauge.ts';

const value = (text: string, dependency: string) => Number(new RegExp(`^sluice_dependency_up\\{dependency="${dependency}"\\} (\\S+)$`, 'm').exec(text)?.[1]);

describe('sluice_dependency_up', () => {
  it('is 1 for a store that answers, 0 for one that fails or is past the deadline', async () => {
    const registry = new Registry();
    registerDependencyGauge(registry, { postgres: async () => 1, redis: () => Promise.reject(new Error('ECONNREFUSED')), chroma: () => new Promise(() => {}) }, 50);
    const text = await registry.metrics();
    expect([value(text, 'postgres'), value(text, 'redis'), value(text, 'chroma')]).toEqual([1, 0, 0]);
  });

  it('starts no second check while one is pending, and counts the store down meanwhile', async () => {
    const registry = new Registry();
    let calls = 0;
    let hang = true;
    let answer: () => void = () => {};
    const redis = () => (calls++, hang ? new Promise<void>((resolve) => (answer = resolve)) : Promise.resolve());
    registerDependencyGauge(registry, { postgres: async () => 1, redis, chroma: async () => 1 }, 20);
    expect(value(await registry.metrics(), 'redis')).toBe(0);
    expect(value(await registry.metrics(), 'redis')).toBe(0);
    expect(calls).toBe(1);
    // The late answer frees the next scrape to ask again.
    hang = false;
    answer();
    await new Promise((r) => setImmediate(r));
    expect(value(await registry.metrics(), 'redis')).toBe(1);
    expect(calls).toBe(2);
  });
});
