/**
 * Groups for research-export tests: real sessions signing real entries, with marker strings in
 * every place a person writes, members joining over several weeks, a research study voted on,
 * opt-outs, a support thread with posts, reactions, reports and a moderator's decision.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { verifyStrict as verify } from '../../src/lib/core/crypto/ed25519';
import type { GroupSession } from '../../src/lib/core/group/session';
import { entryId, signedMessage, type Entry } from '../../src/lib/core/ledger/envelope';
import { RESEARCH_TABLES, type ResearchTable } from '../../src/lib/core/governance/types';
import { readThread, threadTip, type ThreadContent } from '../../src/lib/core/space/thread';
import { DAY, T0 } from './ledger-kit';
import { found, join, Net } from './session-kit';

/** A seeded stream of bytes (ChaCha20 keystream): for tests only; the app and CLI use the platform's CSPRNG. */
export function seededRandom(n: number): (len: number) => Uint8Array {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, n);
  const nonce = new Uint8Array(12);
  let buf = new Uint8Array(0);
  let at = 0;
  let counter = 0;
  return (len) => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      if (at >= buf.length) {
        buf = chacha20(key, nonce, new Uint8Array(4096), undefined, counter);
        counter += 4096 / 64;
        at = 0;
      }
      out[i] = buf[at++]!;
    }
    return out;
  };
}

export const RESEARCH_MARKERS = [
  'MARK-STUDY',
  'MARK-COMMENT',
  'MARK-POST',
  'MARK-REASON',
  'MARK-PROPOSAL',
  'MARK-THREAD',
  'MARK-NOTE'
];

const WEEK = 7 * DAY;

export interface ResearchGroup {
  net: Net;
  groupId: Uint8Array;
  founder: GroupSession;
  members: GroupSession[];
  study: string;
  thread: string;
  threadEntries: Map<string, Uint8Array>;
  names: string[];
  now: number;
  read: (s: GroupSession) => ThreadContent;
}

/**
 * `size` members besides the founder join in cohorts (`cohort` per week), then a study is
 * proposed and voted on; `optOut` members opt out of it, `against` vote no, `optOutAll` opt out
 * of every study.
 */
export function researchGroup(
  o: {
    size?: number;
    cohort?: number;
    optOut?: number[];
    against?: number[];
    optOutAll?: number[];
    tables?: ResearchTable[];
    until?: number;
  } = {}
): ResearchGroup {
  const size = o.size ?? 12;
  const cohort = o.cohort ?? 6;
  const net = new Net();
  const { groupId, founder } = found(net);
  const members: GroupSession[] = [];
  const names: string[] = ['MARK-FOUNDER Robin'];
  for (let i = 0; i < size; i++) {
    const name = `MARK-NAME-${i} Zyxwort`;
    names.push(name);
    members.push(
      join(net, groupId, founder, 300 + i, name, T0 + DAY + Math.floor(i / cohort) * WEEK + i * 600)
        .applicant
    );
  }
  const all = [founder, ...members];
  net.sync(...all);
  let t = T0 + 10 * WEEK;
  const step = () => (t += 600);

  // The study: everyone may vote on research (newcomers too).
  net.put(
    founder.propose(
      {
        type: 'research',
        study: 'MARK-STUDY Peer support and belonging, University of Somewhere',
        tables: o.tables ?? [...RESEARCH_TABLES],
        until: o.until ?? T0 + 60 * WEEK
      },
      step()
    )
  );
  net.sync(...all);
  const study = Object.values(founder.state.proposals).find((p) => p.kind === 'research')!.id;
  for (const [i, s] of all.entries()) {
    const against = o.against?.includes(i - 1) ?? false;
    net.put(s.vote(study, against ? 0 : 1, against ? 'MARK-REASON not comfortable' : '', step()));
  }
  net.sync(...all);
  net.put(founder.close(study, step()));
  net.sync(...all);
  for (const i of o.optOut ?? []) net.put(members[i]!.consent(study, false, step()));
  for (const i of o.optOutAll ?? []) net.put(members[i]!.consent(null, false, step()));

  // Everyday group life: a general proposal with comments and ballots.
  net.put(
    members[0]!.propose({ type: 'general', text: 'MARK-PROPOSAL meet on Thursdays' }, step())
  );
  net.sync(...all);
  const general = Object.values(members[0]!.state.proposals).find((p) => p.kind === 'general')!.id;
  for (const [i, s] of all.entries()) {
    if (i % 2 === 0) net.put(s.comment(general, `MARK-COMMENT ${i} I agree`, step()));
    net.put(s.vote(general, 1, 'MARK-REASON yes', step()));
  }
  net.sync(...all);

  // A support thread: posts, reactions, reports and a moderator's decision (the founder leads).
  net.put(
    founder.openThread(
      '4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      { title: 'MARK-THREAD evenings', topic: '' },
      step()
    )
  );
  net.sync(...all);
  const thread = Object.keys(founder.state.threads)[0]!;
  const threadEntries = new Map<string, Uint8Array>();
  const add = (bytes: Uint8Array) => {
    threadEntries.set(entryId(bytes), bytes);
    return entryId(bytes);
  };
  const tip = (s: GroupSession) => threadTip(threadEntries, s.device.id);
  const posts: string[] = [];
  for (const [i, s] of all.entries())
    posts.push(add(s.post(thread, tip(s), { text: `MARK-POST ${i} hello` }, step())));
  for (const s of all.slice(1, 4)) add(s.react(thread, tip(s), posts[0]!, 'hug', step()));
  for (const s of all.slice(2, 5)) add(s.report(thread, tip(s), posts[1]!, 'spam', step()));
  add(
    founder.moderate(
      thread,
      tip(founder),
      { post: posts[1]!, act: 'hide', reason: 'spam', note: 'MARK-NOTE please' },
      step()
    )
  );
  net.sync(...all);
  const read = (s: GroupSession) =>
    readThread({
      state: s.state,
      thread,
      entries: threadEntries,
      verify: (e: Entry) => verify(e.author, signedMessage(s.groupId, e.body), e.signature)
    });
  return { net, groupId, founder, members, study, thread, threadEntries, names, now: step(), read };
}
