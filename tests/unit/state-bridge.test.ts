import 'fake-indexeddb/auto';
import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { foundGroup, GroupSession } from '../../src/lib/core/group/session';
import { proposalText } from '../../src/lib/core/governance/selectors';
import { deviceKeys } from '../../src/lib/core/group/signer';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { app } from '../../src/lib/state/app.svelte';
import { GroupView, type GroupHost } from '../../src/lib/state/group.svelte';
import { seed, T0 } from '../kit/ledger-kit';
import { found, join, Net } from '../kit/session-kit';
import { repoOverChannel } from '../kit/repo-channel';

/**
 * The state classes between the core and the screens [APP-1]: GroupView with a real
 * automerge-repo (in memory, no network) behind a test host, and AppState on a real Dexie over
 * fake-indexeddb.
 */

function host(repo: Repo, secret: Uint8Array) {
  const calls = { remembered: [] as string[], unsynced: [] as number[] };
  let channel: ReturnType<typeof repoOverChannel> | undefined;
  const h: GroupHost = {
    secret,
    // The page's side of the worker boundary, over a real MessageChannel (ADR 0018).
    repo: () => (channel ??= repoOverChannel(repo)),
    pendingInvite: () => Promise.resolve(undefined),
    rememberGroup: (id) => {
      calls.remembered.push(id);
      return Promise.resolve();
    },
    cacheGroupName: () => Promise.resolve(),
    setUnsynced: (_id, n) => {
      calls.unsynced.push(n);
      return Promise.resolve();
    },
    connection: { relayStorageId: undefined },
    documentInSync: undefined
  };
  return { h, calls };
}

function founded(n: number, name: string) {
  const device = deviceKeys(seed(n));
  let c = 0;
  const random = (len: number) => {
    const out = new Uint8Array(len);
    out.fill((n * 31 + c++) & 0xff);
    out[0] = c & 0xff;
    return out;
  };
  return {
    device,
    ...foundGroup({
      device,
      random,
      now: T0,
      name,
      category: '',
      description: 'about us',
      rules: 'be kind',
      displayName: 'Robin'
    })
  };
}

function store(repo: Repo, groupId: Uint8Array, entries: Uint8Array[]): DocHandle<LedgerDoc> {
  const handle = repo.create<LedgerDoc>(newLedgerDoc(groupId));
  handle.change((d) => {
    for (const e of entries) putEntry(d, e);
  });
  return handle;
}

/** A founded group in a fresh repo, opened by its founder's phone. */
async function openFounded(n: number, name: string) {
  const repo = new Repo({ network: [] });
  const g = founded(n, name);
  const handle = store(repo, g.groupId, g.entries);
  const { h, calls } = host(repo, g.device.secret);
  const view = new GroupView(handle.documentId, h);
  await view.open();
  return { repo, g, handle, view, calls };
}

const settle = async (view: GroupView, until: () => boolean) => {
  for (let i = 0; i < 400 && !until(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('GroupView: one open group between the ledger and the screen', () => {
  it('[APP-1] opens a group, reads its sealed texts, writes through the session and counts what the relay has not confirmed', async () => {
    const { g, handle, view, calls } = await openFounded(1, 'Tuesday circle');
    expect(view.load).toBe('ready');
    expect(view.groupName()).toBe('Tuesday circle');
    expect(view.text(view.group!.description)).toBe('about us');
    expect(view.nameOf(view.session!.me)).toBe('Robin');
    expect(calls.remembered).toEqual([handle.documentId]);

    const error = view.act((s, t) => s.propose({ type: 'general', text: 'picnic' }, t));
    expect(error).toBeUndefined();
    const proposal = Object.values(view.group!.proposals)[0]!;
    expect(view.text(proposalText(proposal))).toBe('picnic');
    // The entry reaches the Automerge document (across the worker boundary), and is marked as
    // not shared yet.
    await settle(view, () => Object.keys(handle.doc().entries).length > g.entries.length);
    expect(Object.keys(handle.doc().entries)).toHaveLength(g.entries.length + 1);
    expect(view.unsynced).toHaveLength(1);
    expect(calls.unsynced.at(-1)).toBe(1);
    view.close();
  });

  it('[SNK-5] the group shows from the local mirror before Automerge is ready; writes wait there and reach the document once it is', async () => {
    const repo = new Repo({ network: [] });
    const g = founded(7, 'Mirror circle');
    const handle = store(repo, g.groupId, g.entries);
    const { h } = host(repo, g.device.secret);
    const kept = new Map<string, { bytes: Uint8Array; pending: boolean }>();
    const { entryId } = await import('../../src/lib/core/ledger/envelope');
    for (const bytes of g.entries) kept.set(entryId(bytes), { bytes, pending: false });
    let release: () => void = () => undefined;
    const ready = new Promise<void>((r) => (release = r));
    const local: GroupHost = {
      ...h,
      // Automerge "still loading": the repo arrives only when the test says so.
      repo: () => ready.then(() => h.repo()),
      loadMirror: () =>
        Promise.resolve({
          entries: [...kept.values()].map((k) => k.bytes),
          pending: [...kept.values()].filter((k) => k.pending).map((k) => k.bytes),
          proofs: []
        }),
      saveMirror: (_id, entries, pending) => {
        for (const e of entries) kept.set(e.id, { bytes: e.bytes, pending: !!pending });
        return Promise.resolve();
      }
    };
    const view = new GroupView(handle.documentId, local);
    const opening = view.open();
    await settle(view, () => view.load === 'ready');
    expect(view.load).toBe('ready');
    expect(view.groupName()).toBe('Mirror circle');
    // A write before the document is ready: shown at once, kept as pending on the phone.
    expect(view.act((s, t) => s.propose({ type: 'general', text: 'tea' }, t))).toBeUndefined();
    expect(Object.keys(view.group!.proposals)).toHaveLength(1);
    expect([...kept.values()].filter((k) => k.pending)).toHaveLength(1);
    expect(Object.keys(handle.doc().entries)).toHaveLength(g.entries.length);
    release();
    await opening;
    // The document is ready: the waiting entry is in it, and no longer pending on the phone.
    await settle(view, () => Object.keys(handle.doc().entries).length > g.entries.length);
    expect(Object.keys(handle.doc().entries)).toHaveLength(g.entries.length + 1);
    expect([...kept.values()].filter((k) => k.pending)).toHaveLength(0);
    view.close();
  });

  it('[SNK-5] the proofs inside entries (an invitation’s) are kept with the mirror and not checked again at the next opening', async () => {
    // A member who joined by invitation: their application carries the invitation's proof.
    const net = new Net();
    const { groupId, founder } = found(net);
    const { application } = join(net, groupId, founder, 230, 'Sam');
    const repo = new Repo({ network: [] });
    const handle = store(repo, groupId, [...net.entries.values()]);
    const saved = new Map<string, Record<string, boolean>>();
    const { h } = host(repo, seed(100));
    const first: GroupHost = {
      ...h,
      saveMirror: (_id, entries) => {
        for (const e of entries) if (e.proofs) saved.set(e.id, e.proofs);
        return Promise.resolve();
      }
    };
    const view = new GroupView(handle.documentId, first);
    await view.open();
    expect(saved.get(application.id)).toEqual({ [`proof:invite:${application.id}`]: true });
    view.close();

    // The next opening, before Automerge is ready, takes the kept verdict as it is: a verdict
    // of false (as if the proof had failed) shows that nothing checked the proof again.
    const later: GroupHost = {
      ...h,
      repo: () => new Promise(() => undefined),
      loadMirror: () =>
        Promise.resolve({
          entries: [...net.entries.values()],
          pending: [],
          proofs: [[`proof:invite:${application.id}`, false]]
        })
    };
    const again = new GroupView(handle.documentId, later);
    void again.open();
    await settle(again, () => again.load === 'ready');
    const audit = again.group!.audit.find((a) => a.id === application.id);
    expect(audit?.reason).toBe('bad-invite-proof');
    again.close();
  });

  it('[LED-13] an entry another writer deletes from the document, or rewrites, is put back by the phone that verified it', async () => {
    const { handle, view } = await openFounded(8, 'Heal circle');
    const [gone, bytes] = Object.entries(handle.doc().entries)[1]!;
    const original = Uint8Array.from(bytes);
    handle.change((d) => {
      delete d.entries[gone];
    });
    await settle(view, () => gone in handle.doc().entries);
    expect(Uint8Array.from(handle.doc().entries[gone]!)).toEqual(original);
    view.close();
  });

  it('[APP-1] entries arriving from another device are verified and applied; a forged one is recorded as not used', async () => {
    const { repo, g, handle, view } = await openFounded(2, 'Circle');
    // The same member's other session writes a proposal "elsewhere"; it arrives in the document.
    const other = new GroupView(handle.documentId, host(repo, g.device.secret).h);
    await other.open();
    other.act((s, t) => s.propose({ type: 'general', text: 'from elsewhere' }, t));
    await settle(view, () => Object.keys(view.group!.proposals).length === 1);
    expect(Object.keys(view.group!.proposals)).toHaveLength(1);
    // A forged entry: a real one with one signature byte flipped, under its own id.
    const [, bytes] = Object.entries(handle.doc().entries).at(-1)!;
    const forged = Uint8Array.from(bytes);
    forged[5] = (forged[5] ?? 0) ^ 0xff;
    handle.change((d) => putEntry(d, forged));
    await settle(view, () => view.group!.audit.some((a) => a.verdict === 'ignored'));
    expect(view.group!.audit.some((a) => a.reason === 'bad-signature')).toBe(true);
    view.close();
    other.close();
  });

  it('[APP-1] each way a link can fail gets its own state, not a crash', async () => {
    const repo = new Repo({ network: [] });
    const g = founded(3, 'Circle');
    const bad = new GroupView('not-a-document-id', host(repo, g.device.secret).h);
    await bad.open();
    expect(bad.load).toBe('invalid-link');

    const notHearth = repo.create<{ hello: string }>({ hello: 'world' });
    const foreign = new GroupView(notHearth.documentId, host(repo, g.device.secret).h);
    await foreign.open();
    expect(foreign.load).toBe('not-a-group');

    // A valid id this phone has never seen, and no peer to ask: "not here yet".
    const elsewhere = new Repo({ network: [] }).create({}).documentId;
    const missing = new GroupView(elsewhere, host(repo, g.device.secret).h);
    await missing.open();
    expect(missing.load).toBe('unavailable');

    const locked = new GroupView(notHearth.documentId, {
      ...host(repo, g.device.secret).h,
      secret: undefined
    });
    await locked.open();
    expect(locked.load).toBe('locked');
  });

  it('[APP-12] what the group will not count is said when it is written, not shown as saved: a vote closed too early, and a phone whose data was copied to another that wrote as it', async () => {
    const { g, handle, view } = await openFounded(5, 'Circle');
    expect(view.act((s, t) => s.propose({ type: 'general', text: 'picnic' }, t))).toBeUndefined();
    const proposal = Object.values(view.group!.proposals)[0]!;
    expect(view.act((s, t) => s.close(proposal.id, t))).toMatch(
      /^This was saved, but the group’s rules do not accept it: .+\.$/
    );
    // A copy of this phone's data on another phone writes as this device without having seen
    // what this phone wrote since.
    await settle(view, () => Object.keys(handle.doc().entries).length === g.entries.length + 2);
    const copy = new GroupSession({
      groupId: g.groupId,
      device: g.device,
      random: (n) => new Uint8Array(n).fill(7)
    });
    copy.addAll(g.entries);
    const twin = copy.propose({ type: 'general', text: 'from the copy' }, T0 + 5);
    handle.change((d) => {
      for (const e of twin) putEntry(d, e);
    });
    expect(view.session!.chainBroken()).toBe(false);
    await settle(view, () => view.session!.ledger.has(entryId(twin[0]!)));
    expect(view.session!.chainBroken()).toBe(true);
    expect(view.act((s, t) => s.propose({ type: 'general', text: 'still here?' }, t))).toMatch(
      /two phones wrote as this same phone/
    );
    view.close();
  });

  it('[APP-1] a person without the group key is told calmly instead of a crash', async () => {
    const repo = new Repo({ network: [] });
    const g = founded(4, 'Circle');
    const handle = store(repo, g.groupId, g.entries);
    const outsider = new GroupView(handle.documentId, host(repo, seed(99)).h);
    await outsider.open();
    expect(outsider.load).toBe('ready');
    expect(outsider.groupName()).toBe('');
    expect(outsider.text(outsider.group!.description)).toMatch(/can’t read this/);
    const error = outsider.act((s, t) => s.profile('Eve', t));
    expect(error).toMatch(/waiting for the group’s key/);
  });
});

describe('GroupView keeps the group moving', () => {
  it('[APP-10] a vote whose time is up (on this phone and on the group’s witnessed clock) is closed by a member’s phone by itself', async () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const { applicant } = join(net, groupId, founder, 200, 'Sam');
    net.put(founder.propose({ type: 'general', text: 'picnic' }, T0 + 300));
    net.sync(founder, applicant);
    const [p] = Object.values(founder.state.proposals).filter((x) => x.kind === 'general');
    // Another member writes after the deadline: the group's witnessed clock passes it.
    net.put(applicant.profile('Sam', p!.deadline + 60));
    const repo = new Repo({ network: [] });
    const handle = store(repo, groupId, [...net.entries.values()]);
    const view = new GroupView(handle.documentId, host(repo, founder.device.secret).h);
    await view.open();
    expect(view.group!.proposals[p!.id]?.status).toBe('voting');
    await settle(view, () => view.group!.proposals[p!.id]?.status !== 'voting');
    const closed = view.group!.proposals[p!.id]!;
    expect(closed.status).toBe('failed');
    expect(closed.closedBy).not.toBeNull();
    expect(view.group!.audit.find((a) => a.id === closed.closedBy)?.verdict).toBe('applied');
    view.close();
  });

  it('[APP-10] a vote still inside its time is left open', async () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    join(net, groupId, founder, 201, 'Sam');
    // Far in the future on every clock.
    net.put(founder.propose({ type: 'general', text: 'later' }, Math.floor(Date.now() / 1000)));
    const repo = new Repo({ network: [] });
    const handle = store(repo, groupId, [...net.entries.values()]);
    const view = new GroupView(handle.documentId, host(repo, founder.device.secret).h);
    await view.open();
    await new Promise((r) => setTimeout(r, 2000));
    const open = Object.values(view.group!.proposals).filter((x) => x.kind === 'general');
    expect(open.map((x) => x.status)).toEqual(['voting']);
    view.close();
  });
});

describe('AppState: the device’s own facts, on a real Dexie', () => {
  it('[APP-8] [APP-9] identity, rules accepted, unsynced counts, forgetting a group with undo, and no identity swap on a phone with groups', async () => {
    await app.createIdentity('Ana');
    expect(app.identity?.pseudonym).toBe('Ana');
    expect(app.secret).toHaveLength(32);
    // A double tap makes no second identity.
    const first = app.secret;
    await app.createIdentity('Ana again');
    expect(app.secret).toEqual(first);

    expect(await app.acceptedRules('doc1')).toBe(0);
    await app.acceptRules('doc1', 3);
    expect(await app.acceptedRules('doc1')).toBe(3);

    await app.rememberGroup('doc1', 'Circle');
    await app.setUnsynced('doc1', 2);
    expect(app.groups.find((r) => r.documentId === 'doc1')?.unsynced).toBe(2);
    // Opening the group again keeps the count until the relay confirms.
    await app.rememberGroup('doc1', 'Circle');
    expect(app.groups.find((r) => r.documentId === 'doc1')?.unsynced).toBe(2);

    await expect(app.adoptIdentity('Someone else', seed(7))).rejects.toThrow();
    expect(app.identity?.pseudonym).toBe('Ana');

    const undo = await app.forgetGroup('doc1');
    expect(app.groups).toHaveLength(0);
    await undo();
    expect(app.groups.map((r) => r.name)).toEqual(['Circle']);
  });

  it('[KEY-3] several people on one phone: own keys, own passcode, own groups and settings; switching locks the one who leaves', async () => {
    const first = app.person;
    const firstSecret = app.secret!;
    const firstGroups = app.groups.map((g) => g.documentId);
    await app.acceptRules('doc-shared', 2);
    await app.addPerson('Bea', 'bea-passcode-1');
    expect(app.person).not.toBe(first);
    expect(app.identity?.pseudonym).toBe('Bea');
    expect(app.secret).toHaveLength(32);
    expect(app.secret).not.toEqual(firstSecret);
    expect(app.groups).toEqual([]);
    expect(await app.acceptedRules('doc-shared')).toBe(0);
    await app.rememberGroup('doc-bea', 'Bea’s circle');
    expect(app.people.map((p) => p.pseudonym)).toEqual(['Ana', 'Bea']);
    expect(app.people.find((p) => p.pseudonym === 'Bea')?.hasPasscode).toBe(true);

    // Back to Ana (no passcode): her groups, her key; Bea's group is not in her list.
    await app.switchPerson(first);
    expect(app.secret).toEqual(firstSecret);
    expect(app.groups.map((g) => g.documentId)).toEqual(firstGroups);
    expect(await app.acceptedRules('doc-shared')).toBe(2);

    // To Bea: locked until her passcode; a wrong one opens nothing.
    const bea = app.people.find((p) => p.pseudonym === 'Bea')!.id;
    await app.switchPerson(bea);
    expect(app.locked).toBe(true);
    expect(app.secret).toBeUndefined();
    expect(await app.unlock('not-her-passcode')).toBe(false);
    expect(await app.unlock('bea-passcode-1')).toBe(true);
    expect(app.groups.map((g) => g.documentId)).toEqual(['doc-bea']);
    await app.switchPerson(first);
  });
});
