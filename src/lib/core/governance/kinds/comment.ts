import { openProposal } from '../proposals';
import { MAX_TEXT } from '../settings';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id, textField } from './wire';

export interface CommentPayload {
  kind: typeof Kind.Comment;
  proposal: string;
  text: Text;
}

/** A comment on a proposal; a muted member cannot comment [SAFE-22]. */
export const comment = defineKind<CommentPayload>({
  kind: Kind.Comment,
  name: 'Comment',
  minTier: 'new',
  wire: { p: 'the proposal (32 bytes)', text: 'the comment, text 1–4000' },
  read: (r) => ({ proposal: r.id('p'), text: r.text('text', MAX_TEXT, 1) }),
  write: (p, seal) => ({ p: id(p.proposal), text: textField(seal, 'text', p.text) }),
  apply(state, ctx, e, p, who) {
    const proposal = openProposal(state, ctx, e, p.proposal);
    if (typeof proposal === 'string') return proposal;
    // A moderator's mute (like a leader's emergency mute) also stops comments [SAFE-22]; ballots
    // and proposals (appeals) stay open.
    if (ctx.isSilenced(state, who.member.id, e)) return 'muted';
    proposal.comments++;
    return null;
  }
});
