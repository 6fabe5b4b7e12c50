// Types of scripts/build.mjs (plain JavaScript: it runs before anything is built), for benchmarks.
export const SOURCE_DIRS: string[];
export const STAMP: string;
export function newestSource(): number;
export function isFresh(): boolean;
/** Builds dist/; returns the milliseconds it took. */
export function build(): number;
