import type { TransferError } from '$core/identity/transfer';
import type { VoteProgress } from '$core/group/explain';
import type { Proposal } from '$core/governance/state';
import type { ProposalKind, Reason, Tier, VotingRules } from '$core/governance/types';

/** Plain words for what the ledger holds. Calm, short, no jargon. */

export const KIND_TITLE: Record<ProposalKind, string> = {
  admit: 'Welcome a new member',
  remove: 'Ask a member to leave',
  tier: 'Change a member’s role',
  rules: 'Change the rules',
  moderation: 'Moderation policy',
  allocate: 'Give points from the treasury',
  partnership: 'Partnership',
  governance: 'Change how we decide',
  general: 'A group decision',
  ratify: 'Confirm an emergency action'
};

export const TIER_NAME: Record<Tier, string> = {
  new: 'New member',
  regular: 'Member',
  senior: 'Senior member',
  leader: 'Leader'
};

export function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} h` : ''}`;
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.ceil(seconds / 60))} min`;
}

export function progressWords(p: Proposal, v: VoteProgress): string[] {
  if (p.status !== 'voting')
    return [p.status === 'passed' ? 'This proposal passed.' : 'This proposal did not pass.'];
  const lines = [
    `Taking part so far: ${v.participation} of ${v.electorateWeight} (votes of longer-standing members weigh more).`
  ];
  lines.push(
    v.quorumNeeded > 0
      ? `${v.quorumNeeded} more needed to reach the quorum of ${p.rules.quorum}%.`
      : 'Enough members have taken part.'
  );
  if (p.rules.method === 'consent')
    lines.push(
      v.passingNow ? 'No objections so far: it would pass.' : 'It passes if nobody objects.'
    );
  else
    lines.push(
      v.passingNow
        ? 'If the vote closed now, it would pass.'
        : v.yesNeeded > 0
          ? `${v.yesNeeded} more “yes” needed to pass (more than ${p.rules.threshold}% of yes and no).`
          : 'If the vote closed now, it would not pass.'
    );
  lines.push(
    v.secondsLeft > 0
      ? `Voting closes in ${duration(v.secondsLeft)}.`
      : 'The voting time is over; anyone can close the vote.'
  );
  return lines;
}

/** Why an entry was not applied, in plain words (the activity log). */
export const REASON_WORDS: Partial<Record<Reason, string>> = {
  'bad-signature': 'its signature is not valid',
  'bad-payload': 'it is not written the way Hearth expects',
  'missing-prev': 'it is waiting for earlier entries to arrive',
  equivocation: 'the same device wrote two different entries in one place',
  'unknown-author': 'its author is not a member',
  'not-member-yet': 'its author was not a member yet',
  removed: 'its author had left the group',
  'removed-concurrently': 'its author was removed at the same time',
  'lost-power': 'its author’s role changed at the same time',
  'already-member': 'that person is already a member',
  'already-applied': 'that person has already applied',
  'tier-too-low': 'its author’s role does not allow it',
  'probation-restricted': 'new members can’t do that yet',
  'not-leader': 'only a leader can do that',
  'unknown-proposal': 'the proposal it refers to is unknown',
  'not-in-electorate': 'its author cannot vote on this',
  'after-close': 'the vote had already closed',
  'already-closed': 'the vote had already been closed',
  'not-decided': 'the vote was not over yet',
  'unknown-target': 'what it refers to is unknown',
  'bad-invite-proof': 'the invitation proof is not valid',
  'invite-expired': 'the invitation had expired',
  'invite-revoked': 'the invitation had been withdrawn',
  'invite-used': 'the invitation had already been used',
  superseded: 'the same member voted again later',
  'not-counted': 'the vote closed before it arrived',
  muted: 'its author was muted',
  'rotation-not-due': 'no new key was due',
  'wrong-key': 'another member started the new key first',
  'box-for-outsider': 'it gave a key to someone who is not a member'
};

export function reasonWords(r: Reason | null): string {
  return r ? (REASON_WORDS[r] ?? r.replace(/-/g, ' ')) : '';
}

export const ENTRY_WORDS: Record<string, string> = {
  Genesis: 'started the group',
  DeviceAdd: 'added a device',
  DeviceRemove: 'removed a device',
  Apply: 'applied to join',
  Propose: 'made a proposal',
  Ballot: 'voted',
  Delegate: 'gave their vote to someone',
  RevokeDelegation: 'took their vote back',
  Comment: 'commented',
  Close: 'closed a vote',
  Outcome: 'wrote an outcome',
  Mentor: 'set up mentoring',
  Helped: 'said a post helped',
  Emergency: 'took an emergency action',
  Settings: 'changed the group’s details',
  Lockboxes: 'shared the group key',
  Invite: 'made an invitation',
  RevokeInvite: 'withdrew an invitation',
  Profile: 'set their name'
};

/** Why a backup or link text can't be used [ID-5]. */
export const TRANSFER_ERROR_WORDS: Record<TransferError, string> = {
  'not-hearth':
    'This isn’t a Hearth backup or link. Please check you chose the right file or code.',
  damaged:
    'This backup or link is damaged or incomplete. If you copied it, please copy all of it again.',
  'too-new': 'This was made by a newer version of Hearth. Please update Hearth on this phone first.'
};

/** How one kind of decision is made, in a sentence [GOV-2]. */
export function rulesWords(r: VotingRules): string {
  const who = r.electorate.map((t) => `${TIER_NAME[t].toLowerCase()}s`).join(', ');
  const days = Math.round(r.period / 86_400);
  const how =
    r.method === 'consent'
      ? 'passes unless someone objects'
      : `passes with more than ${r.threshold}% “yes”`;
  return `Voters: ${who}. At least ${r.quorum}% must take part; it ${how}; ${days} day${days === 1 ? '' : 's'} to vote.`;
}
