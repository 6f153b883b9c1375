import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/lib/core/format/bytes';

describe('sizes shown to people', () => {
  it('[FMT-1] sizes use decimal units with at most one decimal, and nonsense shows a dash', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(4_600_000)).toBe('4.6 MB');
    expect(formatBytes(10_244_600_000)).toBe('10 GB');
    expect(formatBytes(512_000)).toBe('512 KB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(NaN)).toBe('—');
  });
});
