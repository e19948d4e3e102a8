/**
 * The multipart ticket (docs/large-files.md): the edge's own signed statement of what
 * an upload may be, handed out by `/presign/multipart` and shown back on every
 * `/presign/multipart/parts` call, so those calls stay stateless and bounded.
 *
 * Form: `<keyId>.<payload>.<mac>`, payload and mac base64url, the MAC an
 * HMAC-SHA256 over `<keyId>.<payload>` with that key from config.json. The
 * first configured key signs; any configured key verifies, so tickets outlive
 * one key rotation. Every failure is one InvalidTicketError whose `reason`
 * (for logs) names the check, never the ticket.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TicketKey } from './edge-config';
import { InvalidTicketError } from './errors';
import { isPlainObject, safeJsonParse } from './safe-json';

export const TICKET_TTL_SECONDS = 24 * 3600;
/** A ticket is a few hundred characters; anything far longer is not one of ours. */
export const MAX_TICKET_LENGTH = 2048;

export interface TicketClaims {
  readonly sub: string;
  readonly key: string;
  readonly type: string;
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
  /** Unix seconds. */
  readonly exp: number;
}

/** The MAC is 32 bytes: 43 base64url characters, the last one canonical (its 2 spare bits zero), so one ticket has one spelling. */
const TICKET = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;

export function signTicket(claims: TicketClaims, keys: readonly TicketKey[]): string {
  const signer = keys[0];
  if (signer === undefined) throw new Error('no multipart ticket key configured');
  // Fixed field order: the payload is the exact bytes the MAC covers.
  const payload = Buffer.from(
    JSON.stringify({
      sub: claims.sub,
      key: claims.key,
      type: claims.type,
      size: claims.size,
      partSize: claims.partSize,
      partCount: claims.partCount,
      exp: claims.exp,
    }),
    'utf8',
  ).toString('base64url');
  const signed = `${signer.id}.${payload}`;
  return `${signed}.${mac(signer, signed).toString('base64url')}`;
}

/** The claims of a genuine, unexpired ticket issued to `sub` for `key`; otherwise InvalidTicketError. */
export function verifyTicket(ticket: unknown, expected: { sub: string; key: string; now: Date }, keys: readonly TicketKey[]): TicketClaims {
  if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_LENGTH) throw new InvalidTicketError('malformed');
  const match = TICKET.exec(ticket);
  if (match === null) throw new InvalidTicketError('malformed');
  const [, keyId, payload, macText] = match as unknown as [string, string, string, string];
  const key = keys.find((candidate) => candidate.id === keyId);
  if (key === undefined) throw new InvalidTicketError('unknown-key');
  const given = Buffer.from(macText, 'base64url');
  const wanted = mac(key, `${keyId}.${payload}`);
  // Constant time: how much of a forged MAC matched must not show in the latency.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new InvalidTicketError('bad-mac');

  const claims = parseClaims(Buffer.from(payload, 'base64url').toString('utf8'));
  if (claims === undefined) throw new InvalidTicketError('bad-payload');
  if (claims.exp * 1000 <= expected.now.getTime()) throw new InvalidTicketError('expired');
  if (claims.sub !== expected.sub) throw new InvalidTicketError('other-user');
  if (claims.key !== expected.key) throw new InvalidTicketError('other-key');
  return claims;
}

function mac(key: TicketKey, text: string): Buffer {
  return createHmac('sha256', key.secret).update(text, 'utf8').digest();
}

/** Only reached for MAC-valid payloads, i.e. ones we wrote; checked anyway, as cheap insurance. */
function parseClaims(text: string): TicketClaims | undefined {
  const parsed = safeJsonParse(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) return undefined;
  const { sub, key, type, size, partSize, partCount, exp } = parsed.value;
  const whole = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
  if (typeof sub !== 'string' || typeof key !== 'string' || typeof type !== 'string') return undefined;
  if (!whole(size) || !whole(partSize) || !whole(partCount) || !whole(exp)) return undefined;
  if (partCount !== Math.ceil(size / partSize)) return undefined;
  return { sub, key, type, size, partSize, partCount, exp };
}
