import { isSealed, type Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { textField } from './wire';

export interface PushPayload {
  kind: typeof Kind.Push;
  handle: Text;
}

/** A device's push handle for this group and key epoch, sealed for members [PUSH-14]. */
export const push = defineKind<PushPayload>({
  kind: Kind.Push,
  name: 'Push',
  minTier: 'new',
  wire: { h: 'the push handle and its relay, text 1–512, always sealed' },
  read: (r) => ({ handle: r.text('h', 512, 1) }),
  write: (p, seal) => ({ h: textField(seal, 'h', p.handle) }),
  apply(state, _ctx, e, p) {
    // The device's latest handle, sealed with the key of its epoch. A handle sent in the clear
    // would tell the relay which device is in which group: refused.
    if (!isSealed(p.handle)) return 'bad-payload';
    state.push[e.device] = { handle: p.handle, entry: e.id };
    return null;
  }
});
