/**
 * The rules of the multipart ticket (docs/large-files.md), one per test: its
 * exact form and length limit, one spelling per ticket, and what a payload
 * must hold even under a valid MAC. A MAC-valid payload is sealed here with
 * the key itself (as someone holding the deployed key could), so each check
 * of the claims is reached on its own and named by its `reason`.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import type { TicketKey } from '../../../edge-functions/core/edge-config';
import {
  MAX_TICKET_LENGTH,
  signTicket,
  TICKET_TTL_SECONDS,
  type TicketClaims,
  verifyTicket,
} from '../../../edge-functions/core/multipart-ticket';
import { reasonOf } from '../../support/ticket-reason';

const MiB = 1024 * 1024;
const keyA: TicketKey = { id: 'a', secret: createSecretKey(Buffer.alloc(32, 'a')) };
const now = new Date('2026-12-06T10:00:00Z');
const EXP = now.getTime() / 1000 + 60;
const claims: TicketClaims = {
  sub: 'sub-1',
  key: 'uploads/sub-1/2026/12/06/id/talk.mp4',
  type: 'video/mp4',
  size: 20 * MiB,
  partSize: 8 * MiB,
  partCount: 3,
  exp: EXP,
};
const expected = { sub: claims.sub, key: claims.key, now };

/** `<id>.<payload>.<mac>` with a genuine MAC over any payload text: what a holder of the key could write. */
function sealed(payloadText: string, key: TicketKey = keyA): string {
  const payload = Buffer.from(payloadText, 'utf8').toString('base64url');
  const mac = createHmac('sha256', key.secret).update(`${key.id}.${payload}`, 'utf8').digest('base64url');
  return `${key.id}.${payload}.${mac}`;
}

/** The reason verifyTicket gives for a sealed payload holding the claims with `changes` applied. */
function reasonForPayload(changes: Record<string, unknown>): string {
  return reasonOf(() => verifyTicket(sealed(JSON.stringify({ ...claims, ...changes })), expected, [keyA]));
}

/** A genuine ticket of exactly `length` characters, its key padded until it fits. */
function genuineTicketOfLength(length: number): { ticket: string; key: string } {
  for (let pad = 0; pad < length; pad++) {
    const key = `${claims.key}${'k'.repeat(pad)}`;
    const ticket = signTicket({ ...claims, key }, [keyA]);
    if (ticket.length === length) return { ticket, key };
    if (ticket.length > length) break;
  }
  throw new Error(`no padding gives a ticket of ${length} characters`);
}

describe('signTicket', () => {
  it('refuses to sign without a configured key', () => {
    expect(() => signTicket(claims, [])).toThrow(new Error('no multipart ticket key configured'));
  });

  it('writes <key id>.<base64url JSON of the claims, in their fixed order>.<base64url HMAC-SHA256 of both>', () => {
    const ticket = signTicket(claims, [keyA]);
    const [id, payload, mac] = ticket.split('.');
    expect(id).toBe('a');
    expect(Buffer.from(payload!, 'base64url').toString('utf8')).toBe(
      `{"sub":"sub-1","key":"${claims.key}","type":"video/mp4","size":${20 * MiB},"partSize":${8 * MiB},"partCount":3,"exp":${EXP}}`,
    );
    expect(mac).toBe(createHmac('sha256', keyA.secret).update(`a.${payload}`).digest('base64url'));
  });
});

describe('the form of a ticket', () => {
  it('lives a day', () => {
    expect(TICKET_TTL_SECONDS).toBe(86_400);
  });

  it(`verifies a genuine ticket of exactly MAX_TICKET_LENGTH (${MAX_TICKET_LENGTH}) characters`, () => {
    const { ticket, key } = genuineTicketOfLength(MAX_TICKET_LENGTH);
    expect(verifyTicket(ticket, { ...expected, key }, [keyA])).toEqual({ ...claims, key });
  });

  it('refuses a genuine ticket one character longer than MAX_TICKET_LENGTH as malformed', () => {
    const { ticket, key } = genuineTicketOfLength(MAX_TICKET_LENGTH + 1);
    expect(reasonOf(() => verifyTicket(ticket, { ...expected, key }, [keyA]))).toBe('malformed');
  });

  it('takes key ids of 1 to 64 letters, digits, "_" and "-"', () => {
    for (const id of ['Z', 'az09_-AZ', 'k'.repeat(64)]) {
      const key: TicketKey = { id, secret: keyA.secret };
      expect(verifyTicket(signTicket(claims, [key]), expected, [key])).toEqual(claims);
    }
  });

  it.each([
    ['65 characters long', 'k'.repeat(65)],
    ['empty', ''],
    ['holding a character outside the base64url alphabet', 'key+1'],
  ])('refuses a key id %s as malformed, even when a key of that id is configured', (_what, id) => {
    const key: TicketKey = { id, secret: keyA.secret };
    expect(reasonOf(() => verifyTicket(signTicket(claims, [key]), expected, [key]))).toBe('malformed');
  });

  it.each([
    ['a leading space', (ticket: string) => ` ${ticket}`],
    ['a trailing newline', (ticket: string) => `${ticket}\n`],
    ['a fourth dot-separated part', (ticket: string) => `${ticket}.x`],
    ['a prefix ending in a dot', (ticket: string) => `x.${ticket}`],
  ])('refuses a genuine ticket with %s as malformed', (_what, change) => {
    expect(reasonOf(() => verifyTicket(change(signTicket(claims, [keyA])), expected, [keyA]))).toBe('malformed');
  });

  it('refuses a MAC whose spare bits are set as malformed, though it decodes to the same 32 bytes (one ticket, one spelling)', () => {
    const ticket = signTicket(claims, [keyA]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ticket.slice(-1));
    expect(last % 4).toBe(0);
    for (const spare of [1, 2, 3]) {
      const respelled = ticket.slice(0, -1) + alphabet[last + spare];
      expect(Buffer.from(respelled.split('.')[2]!, 'base64url').equals(Buffer.from(ticket.split('.')[2]!, 'base64url'))).toBe(true);
      expect(reasonOf(() => verifyTicket(respelled, expected, [keyA]))).toBe('malformed');
    }
  });

  it('refuses a MAC one character short or long as malformed', () => {
    const ticket = signTicket(claims, [keyA]);
    expect(reasonOf(() => verifyTicket(ticket.slice(0, -2) + ticket.slice(-1), expected, [keyA]))).toBe('malformed');
    expect(reasonOf(() => verifyTicket(`${ticket.slice(0, -1)}A${ticket.slice(-1)}`, expected, [keyA]))).toBe('malformed');
  });
});

describe('the payload under a valid MAC', () => {
  it('accepts the claims sealed by hand, the same as signTicket writes them', () => {
    expect(verifyTicket(sealed(JSON.stringify(claims)), expected, [keyA])).toEqual(claims);
  });

  it.each([
    ['not JSON', '{"sub":'],
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '42'],
    ['JSON holding __proto__', JSON.stringify({ ...claims }).replace('{', '{"__proto__":{},')],
  ])('refuses a payload that is %s as bad-payload', (_what, text) => {
    expect(reasonOf(() => verifyTicket(sealed(text), expected, [keyA]))).toBe('bad-payload');
  });

  it.each([
    ['sub', 1],
    ['key', ['uploads']],
    ['type', null],
  ])('refuses a payload whose %s is not a string as bad-payload', (field, value) => {
    expect(reasonForPayload({ [field]: value })).toBe('bad-payload');
  });

  it('refuses a fractional size, even with a part count that fits it', () => {
    expect(reasonForPayload({ size: 1.5, partSize: 1, partCount: 2 })).toBe('bad-payload');
  });

  it('refuses a size written as text, even with a part count that fits it', () => {
    expect(reasonForPayload({ size: String(20 * MiB) })).toBe('bad-payload');
  });

  it('refuses a size of 0, even with the part count of 0 it implies', () => {
    expect(reasonForPayload({ size: 0, partCount: 0 })).toBe('bad-payload');
  });

  it('refuses a negative size', () => {
    expect(reasonForPayload({ size: -1, partSize: 1, partCount: -1 })).toBe('bad-payload');
  });

  it('refuses a size past the safe integers', () => {
    expect(reasonForPayload({ size: 2 ** 53, partSize: 2 ** 43, partCount: 2 ** 10 })).toBe('bad-payload');
  });

  it('refuses a fractional partSize, even with a part count that fits it', () => {
    expect(reasonForPayload({ size: 3, partSize: 1.5, partCount: 2 })).toBe('bad-payload');
  });

  it('refuses a partSize written as text, even with a part count that fits it', () => {
    expect(reasonForPayload({ partSize: String(8 * MiB) })).toBe('bad-payload');
  });

  it('refuses a part count that is not ceil(size / partSize)', () => {
    expect(reasonForPayload({ partCount: 4 })).toBe('bad-payload');
    expect(reasonForPayload({ partCount: 2 })).toBe('bad-payload');
  });

  it('refuses a fractional exp (as bad-payload, not merely as unexpired)', () => {
    expect(reasonForPayload({ exp: EXP + 0.5 })).toBe('bad-payload');
  });

  it('refuses an exp written as text', () => {
    expect(reasonForPayload({ exp: String(EXP) })).toBe('bad-payload');
  });

  it('refuses an exp of 0 as bad-payload, before it could count as expired', () => {
    expect(reasonForPayload({ exp: 0 })).toBe('bad-payload');
  });

  it('returns only the seven claims, whatever else a payload carries', () => {
    expect(verifyTicket(sealed(JSON.stringify({ ...claims, admin: true })), expected, [keyA])).toEqual(claims);
  });
});
