/**
 * Random sources. Servers choose peers and generateName suffixes at random; with `--random-seed`
 * those choices come from a seeded generator so a scenario replays the same way.
 */

/** A deterministic uniform generator in [0, 1) (mulberry32) seeded with `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
