/**
 * What the screens read from a group beyond its state, in one place: the applied entries of a
 * kind, each read by its kind's reader, and the questions asked of them (a proposal's comments,
 * what a member said helped) and of the state (a proposal's text).
 */
import type { Ledger } from './derive';
import { KIND_NAMES, parsePayload, type PayloadOf } from './kinds';
import type { Proposal } from './state';
import type { Text } from './text';
import { Kind } from './types';

/** The applied entries of one kind, oldest first, with their author and payload. */
export function* appliedOf<K extends (typeof Kind)[keyof typeof Kind]>(
  ledger: Ledger,
  kind: K
): Generator<{ id: string; author: string; payload: PayloadOf<K> }> {
  const name = KIND_NAMES[kind];
  for (const a of ledger.state.audit) {
    if (a.kind !== name || a.verdict !== 'applied') continue;
    const e = ledger.entry(a.id);
    if (!e) continue;
    const p = parsePayload(e.kind, e.payload, { author: e.device, seq: e.seq, kind: e.kind });
    if (p?.kind === kind)
      yield { id: a.id, author: a.author ?? e.device, payload: p as PayloadOf<K> };
  }
}

/** The comments on a proposal the group applied, in its order, with their authors [GOV-13]. */
export function commentsOn(
  ledger: Ledger,
  proposal: string
): { id: string; author: string; text: Text }[] {
  const out: { id: string; author: string; text: Text }[] = [];
  for (const c of appliedOf(ledger, Kind.Comment))
    if (c.payload.proposal === proposal)
      out.push({ id: c.id, author: c.author, text: c.payload.text });
  return out;
}

/** The entries and posts `member` said helped [REP-1, SPACE-3]. */
export function helpedBy(ledger: Ledger, member: string): string[] {
  const out: string[] = [];
  for (const h of appliedOf(ledger, Kind.Helped))
    if (h.author === member) out.push(h.payload.target);
  return out;
}

/** The text of a proposal body, if it has one (a research proposal's is its study). */
export function proposalText(p: Proposal): Text | undefined {
  if (p.body.type === 'research') return p.body.study;
  const b = p.body as { text?: Text };
  return b.text;
}
