/** The only place the app reads the wall clock; the core receives times as arguments. */
export const now = (): number => Date.now();
