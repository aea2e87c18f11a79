// A small seeded generator for reproducible initialisation: mulberry32-style uniform 32-bit
// integers, standard normals by the Box-Muller transform.

export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296; // [0, 1)
  };
}

/** Fills each array in turn with standard normal draws from one stream of `seed`. */
export function fillNormal(seed: number, ...arrays: Float32Array[]): void {
  const next = uniform(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - next())); // 1 - u is in (0, 1]: log stays finite
    const angle = 2 * Math.PI * next();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
  for (const a of arrays) for (let i = 0; i < a.length; i++) a[i] = normal();
}
