// Helpers for the CPU-only benchmarks. Kept apart from support.ts, whose import starts the
// server harness these benches do not need.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export { seededRandom } from '../src/simulator/random.js';
