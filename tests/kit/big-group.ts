/**
 * A realistic large group for benchmarks: 20 members, general proposals that most members vote
 * on, comments, "this helped" marks and closes, with small bursts of concurrent writes (several
 * members writing on the same heads), the way phones that sync every few minutes would.
 */
import { Device, Kind, newGroupId, P, T0 } from './ledger-kit';

export function bigGroup(target: number): {
  groupId: Uint8Array;
  entries: Uint8Array[];
  devices: Device[];
  heads: string[];
} {
  const founder = new Device(0);
  const members = Array.from({ length: 19 }, (_, i) => new Device(i + 1));
  const { groupId, nonce } = newGroupId(founder);
  const all = [founder, ...members];
  const entries: Uint8Array[] = [];
  let time = T0;
  let heads: string[] = [];
  const write = (d: Device, kind: number, payload: ReturnType<typeof P.apply>, prev = heads) => {
    time += 30;
    const e = d.write(groupId, kind, payload, prev, time);
    entries.push(e.bytes);
    return e.id;
  };
  heads = [
    write(
      founder,
      Kind.Genesis,
      P.genesis(
        groupId,
        nonce,
        members.map((m, i) => [m, i < 6 ? 'senior' : 'regular'])
      ),
      []
    )
  ];
  let round = 0;
  while (entries.length < target) {
    const author = all[round % all.length]!;
    const proposal = write(
      author,
      Kind.Propose,
      P.propose('general', { text: `Proposal ${round}: meet on Thursdays at the library` })
    );
    heads = [proposal];
    // A burst: five members vote concurrently on the same heads, then the rest in sequence.
    const burst: string[] = [];
    for (let i = 0; i < all.length && entries.length < target; i++) {
      const voter = all[(round + i) % all.length]!;
      const id = write(
        voter,
        Kind.Ballot,
        P.ballot(proposal, i % 7 === 3 ? 0 : 1),
        i < 5 ? [proposal] : heads
      );
      if (i < 5) {
        burst.push(id);
        if (i === 4) heads = burst.slice();
      } else heads = [id];
      if (i >= 5 && i % 6 === 2 && entries.length < target)
        heads = [
          write(
            voter,
            Kind.Comment,
            P.comment(proposal, 'That works for me, thank you for organising.')
          )
        ];
    }
    if (entries.length < target) heads = [write(author, Kind.Close, P.close(proposal))];
    round++;
  }
  return { groupId, entries: entries.slice(0, target), devices: all, heads };
}
