import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { openText } from '../crypto/sealed-text';
import { err, ok, type Result } from '../result';

/**
 * A personal safety plan after Stanley & Brown (2012): six steps to go through in order when a
 * crisis comes, plus reasons for living [SAFE-15]. It is private: kept on the device, sealed with
 * a key derived from the person's own identity secret, so another person on a shared phone (or
 * anyone reading the storage) cannot open it.
 */
export const PLAN_SECTIONS = [
  'warningSigns',
  'copingAlone',
  'distraction',
  'askForHelp',
  'professionals',
  'safeEnvironment',
  'reasonsForLiving'
] as const;
export type PlanSection = (typeof PLAN_SECTIONS)[number];
export type SafetyPlan = Record<PlanSection, string[]>;

export const emptyPlan = (): SafetyPlan =>
  Object.fromEntries(PLAN_SECTIONS.map((s) => [s, []])) as unknown as SafetyPlan;

/** Lines typed into one section: trimmed, empty ones dropped, at most 50 of 500 characters. */
export const planLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim().slice(0, 500))
    .filter(Boolean)
    .slice(0, 50);

export const isEmptyPlan = (p: SafetyPlan): boolean =>
  PLAN_SECTIONS.every((s) => p[s].length === 0);

const VERSION = 1;
const te = new TextEncoder();
const planKey = (identitySecret: Uint8Array) =>
  hkdf(sha256, identitySecret, undefined, te.encode('hearth/v1/safety-plan'), 32);

/** `[version] ‖ nonce(24) ‖ ciphertext`. The nonce comes from the caller (core takes no randomness). */
export function sealPlan(
  plan: SafetyPlan,
  identitySecret: Uint8Array,
  nonce: Uint8Array
): Uint8Array {
  if (nonce.length !== 24) throw new Error('nonce must be 24 bytes');
  const body = xchacha20poly1305(planKey(identitySecret), nonce, Uint8Array.of(VERSION)).encrypt(
    te.encode(JSON.stringify(plan))
  );
  const out = new Uint8Array(1 + 24 + body.length);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(body, 25);
  return out;
}

export type PlanError = 'not-a-plan' | 'wrong-key';

export function openPlan(
  bytes: Uint8Array,
  identitySecret: Uint8Array
): Result<SafetyPlan, PlanError> {
  if (bytes.length < 1 + 24 + 16 || bytes[0] !== VERSION) return err('not-a-plan');
  const text = openText(
    planKey(identitySecret),
    bytes.subarray(1, 25),
    Uint8Array.of(VERSION),
    bytes.subarray(25)
  );
  if (text === undefined) return err('wrong-key');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err('not-a-plan');
  }
  if (!raw || typeof raw !== 'object') return err('not-a-plan');
  const plan = emptyPlan();
  for (const s of PLAN_SECTIONS) {
    const v = (raw as Record<string, unknown>)[s];
    if (Array.isArray(v))
      plan[s] = v.filter((x): x is string => typeof x === 'string').slice(0, 50);
  }
  return ok(plan);
}
