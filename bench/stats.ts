/**
 * The few statistics the report needs. Medians, not means: one run disturbed by the rest of the
 * machine should not move the result.
 *
 * @module
 */

/** The median of `values`; NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The smallest and largest of `values`; NaN for none. */
export function range(values: readonly number[]): { min: number; max: number } {
  const known = values.filter((value) => !Number.isNaN(value));
  if (known.length === 0) return { min: NaN, max: NaN };
  return { min: Math.min(...known), max: Math.max(...known) };
}
