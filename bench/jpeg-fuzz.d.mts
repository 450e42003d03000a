/** `count` mutated copies of `fixtures` (named Chromium JPEGs), the same cases for the same seed. */
export function mutateJpegs(fixtures: Record<string, Buffer>, options: { count: number; seed?: number }): Array<{ name: string; bytes: Buffer }>;
