import { describe, expect, it } from 'vitest';
import { authenticatedLinks, type ChainLink } from '../../../src/domain/chain.js';

/** A chain of `n` links, hashes `h1`…; a signature is "good" when the test says so. */
const chain = (n: number): ChainLink[] => Array.from({ length: n }, (_, i) => ({ seq: i + 1, prev: i ? `h${i}` : '', hash: `h${i + 1}` }));

describe('authenticating a device’s records by unbroken runs', () => {
  it('verifies one signature for a whole unbroken run, and takes every record of it when that one holds', async () => {
    const links = chain(6);
    const asked: number[] = [];
    const authentic = await authenticatedLinks(links, async (link) => (asked.push(link.seq), true));
    expect(asked).toEqual([6]);
    expect([...authentic].map((l) => l.seq).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('vouches for a record whose own signature fails when a later signature of its run holds', async () => {
    const bad = new Set([3]);
    const authentic = await authenticatedLinks(chain(6), async (link) => !bad.has(link.seq));
    expect(authentic.size).toBe(6);
  });

  it('judges each record of a run alone when the run’s last signature fails, so a forged tail takes no honest record down', async () => {
    const bad = new Set([2, 6]);
    const asked: number[] = [];
    const authentic = await authenticatedLinks(chain(6), async (link) => (asked.push(link.seq), !bad.has(link.seq)));
    expect(asked.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...authentic].map((l) => l.seq).sort()).toEqual([1, 3, 4, 5]);
  });

  it('splits runs at a missing seq and at a broken link, and verifies the last of each', async () => {
    const links = chain(9).filter((l) => l.seq !== 4);
    links[5] = { ...links[5]!, prev: 'forged' }; // seq 7
    const asked: number[] = [];
    await authenticatedLinks(links, async (link) => (asked.push(link.seq), true));
    expect(asked.sort()).toEqual([3, 6, 9]);
  });
});
