import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { optTextField } from './wire';

export interface SettingsPayload {
  kind: typeof Kind.Settings;
  name: Text | undefined;
  description: Text | undefined;
}

/** A leader renames the group or changes its description [APP-2]. */
export const settings = defineKind<SettingsPayload>({
  kind: Kind.Settings,
  name: 'Settings',
  minTier: 'leader',
  wire: {
    name: 'optional: the group name, text ≤60',
    desc: 'optional: the description, text ≤1000'
  },
  read: (r) => ({ name: r.optText('name', 60), description: r.optText('desc', 1000) }),
  write: (p, seal) => ({
    name: optTextField(seal, 'name', p.name),
    desc: optTextField(seal, 'desc', p.description)
  }),
  apply(state, _ctx, _e, p) {
    if (p.name !== undefined) state.name = p.name;
    if (p.description !== undefined) state.description = p.description;
    return null;
  }
});
