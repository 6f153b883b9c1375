// Bundled for Chromium by tests/e2e/network-contract.spec.ts: the network-adapter contract over
// real RTCDataChannels, each joined to its adapter the way the app does it (ADR 0026).
import { initializeWasm } from '@automerge/automerge-repo/slim';
import { codeText, readCode } from '../../../src/lib/core/nearby/code';
import { bridge, LinkNetworkAdapter, portLink } from '../../../src/lib/adapters/link-adapter';
import { NearbyChannel } from '../../../src/lib/adapters/nearby-channel';
import {
  acceptAnswer,
  answerOffer,
  hangUp,
  makeOffer,
  opened
} from '../../../src/lib/adapters/nearby-rtc';
import { networkContract, type NetworkSetup } from '../../contract/network-contract';

let session = 0;

/** Two phones' ends of one real data channel, made from codes as the app makes them. */
async function pair(): Promise<{ ends: [LinkNetworkAdapter, LinkNetworkAdapter]; close(): void }> {
  const id = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, ++session);
  const made = Math.floor(Date.now() / 1000);
  const host = await makeOffer(id, made);
  if (!host.ok) throw new Error(`offer: ${host.error}`);
  const offer = readCode(codeText(host.value.code));
  if (!offer.ok) throw new Error(`offer code: ${offer.error}`);
  const guest = await answerOffer(offer.value, made);
  if (!guest.ok) throw new Error(`answer: ${guest.error}`);
  const answer = readCode(codeText(guest.value.code));
  if (!answer.ok || !(await acceptAnswer(host.value, answer.value)))
    throw new Error('answer not taken');
  const [a, b] = await Promise.all([opened(host.value, 15_000), opened(guest.value, 15_000)]);
  if (a !== 'open' || b !== 'open') throw new Error('the channel did not open');
  const ends = [host.value, guest.value].map((c) => {
    // Page: the data channel; worker: the adapter on a MessagePort; a bridge between.
    const channel = new NearbyChannel(c.dc);
    // No handshake here: the contract is about the adapter.
    channel.allowSync();
    const ports = new MessageChannel();
    bridge(channel.syncLink, portLink(ports.port1));
    return { adapter: new LinkNetworkAdapter(portLink(ports.port2)), channel };
  });
  return {
    ends: [ends[0]!.adapter, ends[1]!.adapter],
    close() {
      for (const e of ends) e.channel.end('local');
      hangUp(host.value);
      hangUp(guest.value);
    }
  };
}

async function mesh(): Promise<NetworkSetup> {
  const [ab, ac, bc] = [await pair(), await pair(), await pair()];
  return {
    adapters: [
      [ab.ends[0], ac.ends[0]],
      [ab.ends[1], bc.ends[0]],
      [ac.ends[1], bc.ends[1]]
    ],
    teardown: () => {
      for (const p of [ab, ac, bc]) p.close();
    }
  };
}

async function run(wasmUrl: string): Promise<{ name: string; error?: string }[]> {
  await initializeWasm(wasmUrl);
  const out: { name: string; error?: string }[] = [];
  for (const c of networkContract) {
    try {
      await c.run(mesh);
      out.push({ name: c.name });
    } catch (e) {
      out.push({
        name: c.name,
        error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e)
      });
    }
  }
  return out;
}

(globalThis as unknown as { runContract: typeof run }).runContract = run;
