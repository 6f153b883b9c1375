import { describe, expect, it } from 'vitest';
import { isSilent, type QuietPrefs, type WakeMessage } from '../../src/lib/core/notify/wake';

const at = (h: number, m = 0) => h * 60 + m;
const checkin: WakeMessage = { kind: 'checkin', group: 'groupAAAAAAAA', path: '/', at: 0 };
const reply: WakeMessage = { kind: 'reply', group: 'groupBBBBBBBB', path: '/', at: 0 };
const night: QuietPrefs = { quiet: { from: at(22), to: at(7) }, crisisThrough: false, muted: [] };

describe('quiet hours and muted groups', () => {
  it('[PUSH-18] quiet across midnight: silent from 22:00 to 06:59, with sound at 07:00 and 21:59', () => {
    for (const m of [at(22), at(23, 59), at(0), at(3), at(6, 59)])
      expect(isSilent(reply, night, m)).toBe(true);
    for (const m of [at(7), at(12), at(21, 59)]) expect(isSilent(reply, night, m)).toBe(false);
  });

  it('[PUSH-18] quiet within a day (13:00–15:00); none set, or from = to, is never quiet', () => {
    const nap: QuietPrefs = { ...night, quiet: { from: at(13), to: at(15) } };
    expect(isSilent(reply, nap, at(14))).toBe(true);
    expect(isSilent(reply, nap, at(15))).toBe(false);
    expect(isSilent(reply, nap, at(12, 59))).toBe(false);
    expect(isSilent(reply, { ...night, quiet: null }, at(23))).toBe(false);
    expect(isSilent(reply, { ...night, quiet: { from: at(9), to: at(9) } }, at(9))).toBe(false);
    expect(isSilent(reply, undefined, at(23))).toBe(false);
  });

  it('[PUSH-18] check-in requests come through quiet hours only when the person chose so; a muted group is silent all day, a crisis too', () => {
    expect(isSilent(checkin, night, at(2))).toBe(true);
    expect(isSilent(checkin, { ...night, crisisThrough: true }, at(2))).toBe(false);
    expect(isSilent(reply, { ...night, crisisThrough: true }, at(2))).toBe(true);
    const muted: QuietPrefs = { quiet: null, crisisThrough: true, muted: [reply.group] };
    expect(isSilent(reply, muted, at(12))).toBe(true);
    expect(isSilent(checkin, muted, at(12))).toBe(false);
    // A wake that did not open: only the hours can say.
    expect(isSilent(undefined, night, at(2))).toBe(true);
    expect(isSilent(undefined, muted, at(2))).toBe(false);
  });
});
