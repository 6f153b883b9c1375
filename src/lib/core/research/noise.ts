/**
 * The discrete Laplace ("two-sided geometric") mechanism [RES-9]. A count whose value any one
 * member can change by at most 1 is released as `count + Z`, where
 * `P(Z = z) = (1 − α) / (1 + α) · α^|z|` with `α = e^−ε`. Randomness comes from the caller as
 * bytes (the app and the CLI pass the platform's cryptographic generator; only tests pass a
 * seeded one), so the core stays pure.
 */

/** n random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** A uniform double in (0, 1], from 53 random bits (never 0, so its logarithm is finite). */
function uniform(random: RandomBytes): number {
  const b = random(7);
  // 53 bits: 6 whole bytes and the top 5 bits of the seventh.
  let x = 0;
  for (let i = 0; i < 6; i++) x = x * 256 + b[i]!;
  x = x * 32 + (b[6]! >> 3);
  return (x + 1) / 2 ** 53;
}

/** A geometric draw on {0, 1, 2, …}: P(G = g) = (1 − α) α^g. */
export function geometric(alpha: number, random: RandomBytes): number {
  if (alpha <= 0) return 0;
  return Math.floor(Math.log(uniform(random)) / Math.log(alpha));
}

/** Noise Z for one count with privacy parameter ε (> 0): the difference of two geometrics. */
export function discreteLaplace(epsilon: number, random: RandomBytes): number {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError('epsilon must be > 0');
  const alpha = Math.exp(-epsilon);
  return geometric(alpha, random) - geometric(alpha, random);
}

/** The probability of one noise value z: what the statistical test compares draws with. */
export function discreteLaplacePmf(epsilon: number, z: number): number {
  const alpha = Math.exp(-epsilon);
  return ((1 - alpha) / (1 + alpha)) * alpha ** Math.abs(z);
}

/** A count released with noise; never below 0 (post-processing does not weaken the guarantee). */
export function noisyCount(count: number, epsilon: number, random: RandomBytes): number {
  return Math.max(0, count + discreteLaplace(epsilon, random));
}
