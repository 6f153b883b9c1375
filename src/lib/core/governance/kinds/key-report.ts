import { hexToBytes, toHex } from '../../encoding/hex';
import { Kind } from '../types';
import { defineKind } from './kind';

export interface KeyReportPayload {
  kind: typeof Kind.KeyReport;
  epoch: number;
  keyId: string;
}

/**
 * A device says the lockboxes it holds for the current epoch open nothing (a member sealed junk,
 * or the wrong key) [ENC-10]. The reducer cannot open lockboxes, so it takes the member's word:
 * a rotation becomes due, and the next member's write starts an epoch everyone can open. A device
 * with no lockbox there needs a heal, not a rotation (`unknown-target`); a report about an epoch
 * that is no longer current is `unknown-epoch`.
 */
export const keyReport = defineKind<KeyReportPayload>({
  kind: Kind.KeyReport,
  name: 'KeyReport',
  minTier: 'new',
  wire: { e: 'the key epoch, ≤1,000,000', k: "that epoch's key id (8 bytes)" },
  read: (r) => ({ epoch: r.uint('e', 1_000_000), keyId: toHex(r.bytes('k', 8)) }),
  write: (p) => ({ e: p.epoch, k: hexToBytes(p.keyId) }),
  apply(state, _ctx, e, p) {
    const epoch = state.epochs[p.epoch];
    if (!epoch || p.epoch !== state.currentEpoch || epoch.keyId !== p.keyId) return 'unknown-epoch';
    if (!epoch.lockboxes[e.device]?.length) return 'unknown-target';
    state.rotationDue = true;
    return null;
  }
});
