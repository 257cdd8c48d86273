// HPA stabilization: scale up only to the lowest recommendation of the scale-up window, down only
// to the highest of the scale-down window; in between, stay. Pure.
import type { Recommendation } from './history.ts';

export function stabilize(current: number, recommendations: readonly Recommendation[], now: number, upWindowSeconds: number, downWindowSeconds: number): number {
  let up = Infinity;
  let down = -Infinity;
  for (const r of recommendations) {
    // As in the HPA: a window of W seconds holds the recommendations of the last W seconds, now
    // included, and one exactly W seconds old no longer.
    const age = now - r.at;
    if (age === 0 || age < upWindowSeconds * 1000) up = Math.min(up, r.replicas);
    if (age === 0 || age < downWindowSeconds * 1000) down = Math.max(down, r.replicas);
  }
  if (up !== Infinity && up > current) return up;
  if (down !== -Infinity && down < current) return down;
  return current;
}
