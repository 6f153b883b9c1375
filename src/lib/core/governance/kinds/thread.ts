import { hexToBytes, toHex } from '../../encoding/hex';
import type { Member, ThreadRecord } from '../state';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import {
  Bad,
  cborMap,
  lockboxSetFields,
  optTextField,
  readLockboxSet,
  readMemberList,
  textField,
  type LockboxSet,
  type Reader
} from './wire';

/**
 * Why a private channel exists: a mentor and their mentee [SPACE-4]; a member asking the group's
 * responders to check in on them [SAFE-24]; a member sharing their safety plan with the
 * supporters they chose [SAFE-25].
 */
export const CHANNEL_PURPOSES = ['mentor', 'care', 'plan'] as const;
export type ChannelPurpose = (typeof CHANNEL_PURPOSES)[number];

export interface PrivateChannel {
  nonce: Uint8Array;
  purpose: ChannelPurpose;
  members: string[];
  lockboxes: LockboxSet;
}

export interface ThreadPayload {
  kind: typeof Kind.Thread;
  doc: string;
  title: Text;
  topic: Text;
  cw: Text | undefined;
  /**
   * A private channel: its members (the writer first) and the channel key's lockboxes
   * [SPACE-4, SAFE-24, SAFE-25].
   */
  private: PrivateChannel | undefined;
}

function readChannel(r: Reader): PrivateChannel {
  const nonce = r.bytes('n', 16);
  // Channels written before purposes existed are a mentor's (no 'pu').
  const purpose = r.has('pu')
    ? CHANNEL_PURPOSES[r.uint('pu', CHANNEL_PURPOSES.length - 1)]!
    : 'mentor';
  const members = readMemberList(r.list('m'), 2);
  if (purpose === 'mentor' && members.length !== 2) throw new Bad();
  const lockboxes = readLockboxSet(r.inner('lk'));
  r.done();
  return { nonce, purpose, members, lockboxes };
}

/**
 * Opens a support thread [SPACE-1]; a member whose posting is paused cannot. A private channel
 * [SPACE-4, SAFE-24, SAFE-25] needs every member active and lockboxes only for their devices; a
 * muted member may still ask the responders for help or share their safety plan.
 */
export const thread = defineKind<ThreadPayload>({
  kind: Kind.Thread,
  name: 'Thread',
  minTier: 'new',
  wire: {
    d: "the thread's own document id (base58, 20–40 characters)",
    title: 'text 1–120',
    topic: 'text ≤40',
    cw: 'optional: a content warning, text ≤200',
    pc: "optional: a private channel: n nonce (16 bytes), pu purpose (0 mentor, 1 care, 2 plan; none is mentor), m members (the writer first), lk the channel key's lockbox set"
  },
  read: (r) => ({
    doc: r.str('d', /^[1-9A-HJ-NP-Za-km-z]{20,40}$/),
    title: r.text('title', 120, 1),
    topic: r.text('topic', 40),
    cw: r.optText('cw', 200),
    private: r.has('pc') ? readChannel(r.inner('pc')) : undefined
  }),
  write: (p, seal) => ({
    d: p.doc,
    title: textField(seal, 'title', p.title),
    topic: textField(seal, 'topic', p.topic),
    cw: optTextField(seal, 'cw', p.cw),
    pc: p.private
      ? cborMap({
          n: p.private.nonce,
          // A mentor's channel is written as before purposes existed.
          pu:
            p.private.purpose === 'mentor'
              ? undefined
              : CHANNEL_PURPOSES.indexOf(p.private.purpose),
          m: p.private.members.map(hexToBytes),
          lk: cborMap(lockboxSetFields(p.private.lockboxes))
        })
      : undefined
  }),
  apply(state, ctx, e, p, who) {
    const purpose = p.private?.purpose;
    if (purpose !== 'care' && purpose !== 'plan' && ctx.isSilenced(state, who.member.id, e))
      return 'muted';
    let priv: ThreadRecord['private'] = null;
    if (p.private) {
      const members = p.private.members.map((id) => state.members[id]);
      if (!members.every((m) => m && m.status === 'active' && ctx.memberAt(m, e)))
        return 'unknown-target';
      const all = members as Member[];
      if (purpose === 'mentor') {
        // Only a mentor and their mentee.
        const [a, b] = all as [Member, Member];
        if (who.member.id !== a.id && who.member.id !== b.id) return 'not-mentoring';
        if (a.mentor !== b.id && b.mentor !== a.id) return 'not-mentoring';
      } else {
        // The member who asks (or shares) opens it; for care, everyone else is a responder.
        if (all[0]!.id !== who.member.id) return 'unknown-target';
        if (purpose === 'care' && !all.slice(1).every((m) => ctx.respondsAt(state, m, e)))
          return 'not-responder';
      }
      const devices = new Set(all.flatMap((m) => m.devices));
      if (!p.private.lockboxes.boxes.every((x) => devices.has(x.device))) return 'box-for-outsider';
      priv = {
        purpose: p.private.purpose,
        members: p.private.members,
        nonce: toHex(p.private.nonce),
        keyId: p.private.lockboxes.keyId,
        boxes: Object.fromEntries(p.private.lockboxes.boxes.map((x) => [x.device, toHex(x.sealed)]))
      };
    }
    state.threads[e.id] = {
      id: e.id,
      by: who.member.id,
      doc: p.doc,
      title: p.title,
      topic: p.topic,
      cw: p.cw ?? null,
      time: ctx.timeOf(e),
      private: priv
    };
    return null;
  }
});
