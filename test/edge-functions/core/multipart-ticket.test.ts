/**
 * The multipart ticket and the part plan (docs/large-files.md), as pure functions.
 * The handler tests cover each failure as the client sees it (one 403); here,
 * what each check looks at.
 */
import { createSecretKey } from 'node:crypto';
import type { TicketKey } from '../../../edge-functions/core/edge-config';
import { MAX_TICKET_LENGTH, signTicket, verifyTicket, type TicketClaims } from '../../../edge-functions/core/multipart-ticket';
import { MAX_PARTS, partLength, planParts } from '../../../edge-functions/core/part-plan';
import fc from 'fast-check';
import { reasonOf } from '../../support/ticket-reason';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const keyA: TicketKey = { id: 'a', secret: createSecretKey(Buffer.alloc(32, 'a')) };
const keyB: TicketKey = { id: 'b', secret: createSecretKey(Buffer.alloc(32, 'b')) };
const now = new Date('2026-12-06T10:00:00Z');
const claims: TicketClaims = {
  sub: 'sub-1',
  key: 'uploads/sub-1/2026/12/06/id/talk.mp4',
  type: 'video/mp4',
  size: 20 * MiB,
  partSize: 8 * MiB,
  partCount: 3,
  exp: now.getTime() / 1000 + 60,
};
const expected = { sub: claims.sub, key: claims.key, now };

describe('multipart ticket', () => {
  it('round-trips its claims, signed by the first key, verified by any configured key', () => {
    const ticket = signTicket(claims, [keyA, keyB]);
    expect(ticket.startsWith('a.')).toBe(true);
    expect(ticket.length).toBeLessThan(MAX_TICKET_LENGTH);
    expect(verifyTicket(ticket, expected, [keyB, keyA])).toEqual(claims);
    expect(reasonOf(() => verifyTicket(ticket, expected, [keyB]))).toBe('unknown-key');
  });

  it('refuses a MAC from another secret under the same key id', () => {
    const forged = signTicket(claims, [{ id: 'a', secret: createSecretKey(Buffer.alloc(32, 'x')) }]);
    expect(reasonOf(() => verifyTicket(forged, expected, [keyA]))).toBe('bad-mac');
  });

  it('refuses every single-character change (one ticket, one spelling)', () => {
    const ticket = signTicket(claims, [keyA]);
    fc.assert(
      fc.property(fc.nat(ticket.length - 1), fc.constantFrom(...'ABQRghwx_-.0z'), (at, c) => {
        fc.pre(ticket[at] !== c);
        const changed = ticket.slice(0, at) + c + ticket.slice(at + 1);
        expect(reasonOf(() => verifyTicket(changed, expected, [keyA]))).not.toBe('accepted');
      }),
    );
  });

  it('checks expiry, then user, then key', () => {
    expect(reasonOf(() => verifyTicket(signTicket({ ...claims, exp: now.getTime() / 1000 }, [keyA]), expected, [keyA]))).toBe('expired');
    expect(reasonOf(() => verifyTicket(signTicket(claims, [keyA]), { ...expected, sub: 'sub-2' }, [keyA]))).toBe('other-user');
    expect(reasonOf(() => verifyTicket(signTicket(claims, [keyA]), { ...expected, key: `${claims.key}x` }, [keyA]))).toBe('other-key');
  });

  it('refuses what is not a ticket as malformed, whatever its type', () => {
    for (const value of [undefined, 3, {}, '', 'a.b', 'a.b.c', `a.${'x'.repeat(MAX_TICKET_LENGTH)}.${'y'.repeat(43)}`]) {
      expect(reasonOf(() => verifyTicket(value, expected, [keyA]))).toBe('malformed');
    }
  });
});

describe('part plan', () => {
  it.each([
    [1, 8 * MiB, 1],
    [8 * MiB, 8 * MiB, 1],
    [8 * MiB + 1, 8 * MiB, 2],
    [7_340_032_000, 8 * MiB, 875],
    [MAX_PARTS * 8 * MiB, 8 * MiB, MAX_PARTS],
    [MAX_PARTS * 8 * MiB + 1, 9 * MiB, Math.ceil((MAX_PARTS * 8 * MiB + 1) / (9 * MiB))],
    [20 * GiB, 8 * MiB, 2560],
    [100 * GiB, 11 * MiB, Math.ceil((100 * GiB) / (11 * MiB))],
  ])('%d bytes: parts of %d, %d of them', (size, partSize, partCount) => {
    expect(planParts(size)).toEqual({ partSize, partCount });
  });

  it('any size: whole MiB ≥ 8, ≤ 10,000 parts, the smallest such size, parts summing to the file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 * 1024 * GiB }), (size) => {
        const plan = planParts(size);
        expect(plan.partSize % MiB).toBe(0);
        expect(plan.partSize).toBeGreaterThanOrEqual(8 * MiB);
        expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
        if (plan.partSize > 8 * MiB) expect(Math.ceil(size / (plan.partSize - MiB))).toBeGreaterThan(MAX_PARTS);
        const last = partLength({ ...plan, size }, plan.partCount);
        expect(last).toBeGreaterThan(0);
        expect(last).toBeLessThanOrEqual(plan.partSize);
        expect((plan.partCount - 1) * plan.partSize + last).toBe(size);
      }),
    );
  });
});
