/**
 * A value or a reason it could not be made. Core functions return this instead of throwing, so
 * that hostile or malformed input never crashes a caller (the UI, the relay, a CLI).
 */
export type Result<T, E extends string = string> =
  { ok: true; value: T } | { ok: false; error: E; detail?: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const err = <E extends string>(
  error: E,
  detail?: string
): { ok: false; error: E; detail?: string } =>
  detail === undefined ? { ok: false, error } : { ok: false, error, detail };
