/**
 * The kinds of a support thread's own document [SPACE-2]: posts, reactions, reports and
 * moderators' decisions. They never enter the group ledger; `readThread` reads them. One module
 * per kind as for the ledger's kinds, kept together here because each is a few lines.
 */
import { MAX_TEXT } from '../settings';
import type { Text } from '../text';
import {
  MODERATION_ACTS,
  REACTIONS,
  REPORT_REASONS,
  SpaceKind,
  type ModerationAct,
  type Reaction,
  type ReportReason
} from '../types';
import { defineSpaceKind } from './kind';
import { id, optTextField, textField } from './wire';

export interface PostPayload {
  kind: typeof SpaceKind.Post;
  thread: string;
  text: Text;
  replyTo: string | undefined;
  cw: Text | undefined;
}
export interface ReactPayload {
  kind: typeof SpaceKind.React;
  thread: string;
  post: string;
  reaction: Reaction;
}
export interface ReportPayload {
  kind: typeof SpaceKind.Report;
  thread: string;
  post: string;
  reason: ReportReason;
}
export interface ModeratePayload {
  kind: typeof SpaceKind.Moderate;
  thread: string;
  post: string;
  act: ModerationAct;
  reason: ReportReason;
  /** For `hide` and `warn`: the warning or the educational note, sealed like a post. */
  note: Text | undefined;
}

const THREAD = 'the thread (its Thread entry, 32 bytes)';
const POST = 'the post (32 bytes)';

/** A post, or a reply to one [SPACE-2]. */
export const post = defineSpaceKind<PostPayload>({
  kind: SpaceKind.Post,
  name: 'Post',
  wire: {
    t: THREAD,
    text: 'text 1–4000',
    re: 'optional: the post replied to (32 bytes)',
    cw: 'optional: a content warning, text ≤200'
  },
  read: (r) => ({
    thread: r.id('t'),
    text: r.text('text', MAX_TEXT, 1),
    replyTo: r.optId('re'),
    cw: r.optText('cw', 200)
  }),
  write: (p, seal) => ({
    t: id(p.thread),
    text: textField(seal, 'text', p.text),
    re: p.replyTo === undefined ? undefined : id(p.replyTo),
    cw: optTextField(seal, 'cw', p.cw)
  })
});

/** A reaction to a post [SPACE-2]. */
export const react = defineSpaceKind<ReactPayload>({
  kind: SpaceKind.React,
  name: 'React',
  wire: { t: THREAD, p: POST, r: 'the reaction' },
  read: (r) => ({ thread: r.id('t'), post: r.id('p'), reaction: r.oneOf('r', REACTIONS) }),
  write: (p) => ({ t: id(p.thread), p: id(p.post), r: p.reaction })
});

/** A report of a post to the moderators: a reason code, no words [SAFE-17]. */
export const report = defineSpaceKind<ReportPayload>({
  kind: SpaceKind.Report,
  name: 'Report',
  wire: { t: THREAD, p: POST, why: 'a reason code' },
  read: (r) => ({ thread: r.id('t'), post: r.id('p'), reason: r.oneOf('why', REPORT_REASONS) }),
  write: (p) => ({ t: id(p.thread), p: id(p.post), why: p.reason })
});

/** A moderator's decision on a post [SAFE-18]. */
export const moderate = defineSpaceKind<ModeratePayload>({
  kind: SpaceKind.Moderate,
  name: 'Moderate',
  wire: {
    t: THREAD,
    p: POST,
    act: 'remove, hide, warn or reinstate',
    why: 'a reason code',
    note: 'optional: the warning or note, text ≤1000'
  },
  read: (r) => ({
    thread: r.id('t'),
    post: r.id('p'),
    act: r.oneOf('act', MODERATION_ACTS),
    reason: r.oneOf('why', REPORT_REASONS),
    note: r.optText('note', 1000)
  }),
  write: (p, seal) => ({
    t: id(p.thread),
    p: id(p.post),
    act: p.act,
    why: p.reason,
    note: optTextField(seal, 'note', p.note)
  })
});
