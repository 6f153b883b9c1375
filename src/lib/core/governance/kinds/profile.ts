import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { textField } from './wire';

export interface ProfilePayload {
  kind: typeof Kind.Profile;
  name: Text;
}

/** The name a member goes by in this group, sealed for its members [ID-4]. */
export const profile = defineKind<ProfilePayload>({
  kind: Kind.Profile,
  name: 'Profile',
  minTier: 'new',
  wire: { name: 'the display name, text 1–60' },
  read: (r) => ({ name: r.text('name', 60, 1) }),
  write: (p, seal) => ({ name: textField(seal, 'name', p.name) }),
  apply(state, _ctx, e, p, who) {
    state.profiles[who.member.id] = { name: p.name, entry: e.id };
    return null;
  }
});
