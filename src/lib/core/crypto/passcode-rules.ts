/** What a new passcode needs [KEY-1]; no crypto here, so the first screen can use it cheaply. */
export const PASSCODE_MIN = 6;

export type PasscodeProblem = 'too-short' | 'mismatch';

/** Checks a new passcode (typed twice); what is wrong with it, if anything [KEY-1]. */
export function checkNewPasscode(
  passcode: string,
  confirmation: string
): PasscodeProblem | undefined {
  if ([...passcode].length < PASSCODE_MIN) return 'too-short';
  if (passcode !== confirmation) return 'mismatch';
  return undefined;
}
