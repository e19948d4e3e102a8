/**
 * The harness's pngBytes is what its name says: a PNG the inspector verifies
 * (suites that run the stack with the inspector on, e.g. the "Your files" e2e,
 * wait for "verified"), of exactly the size asked for (the size-limit tests
 * count bytes).
 */
import { decide, HEAD_BYTES, TAIL_BYTES } from '../../../origin/inspector/core/inspection';
import { pngBytes } from './support/stack-harness';

const KEY = 'uploads/0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/photo.png';

describe('pngBytes', () => {
  it.each([87, 99, 100, 101, 1000, 4321, 50_000, 120_000, 9 * 1024 * 1024])(
    '%i bytes: exactly that size, and verified by the inspector as image/png',
    (size) => {
      const bytes = pngBytes(size);
      expect(bytes.length).toBe(size);
      const sample = {
        key: KEY,
        declaredType: 'image/png',
        size,
        head: bytes.subarray(0, HEAD_BYTES),
        tail: bytes.subarray(Math.max(0, size - TAIL_BYTES)),
      };
      expect(decide(sample)).toMatchObject({ verdict: 'verified' });
    },
  );

  it('below the smallest PNG, still exactly the size asked for, starting with the signature', () => {
    for (const size of [0, 8, 10, 86]) {
      const bytes = pngBytes(size);
      expect(bytes.length).toBe(size);
      expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).subarray(0, size))).toBe(true);
    }
  });
});
