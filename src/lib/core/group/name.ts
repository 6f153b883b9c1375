import { err, ok, type Result } from '../result';
import { tidyName } from '../identity/pseudonym';

/** A group name's longest form, in characters (the genesis reader holds it to this too). */
export const GROUP_NAME_MAX = 60;

export type GroupNameError = 'empty' | 'too-long';

/** Trims and bounds a group name [GRP-1]. */
export function parseGroupName(input: string): Result<string, GroupNameError> {
  const name = tidyName(input);
  if (name.length === 0) return err('empty');
  if ([...name].length > GROUP_NAME_MAX) return err('too-long');
  return ok(name);
}
