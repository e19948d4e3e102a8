/**
 * Which multipart ticket keys a new version of the presign function carries
 * (docs/edge-config.md "Ticket keys across deploys").
 *
 * A ticket lives TICKET_TTL_SECONDS and names the key that signed it. A key
 * signs while a version whose first key it is runs at the edge; after that it
 * must still verify until the last ticket it signed has expired. So what
 * matters is when a key stopped signing, not when it was made: each deploy
 * writes `retiredAt` (ISO seconds) on the keys it demotes, and drops a key
 * once its retirement is older than a ticket's lifetime plus the time
 * CloudFront takes to move every edge to the new version.
 *
 * The previous keys come from the newest published version, which is not
 * always the one CloudFront runs: after a rolled-back deploy the distribution
 * runs the version before it. The first two keys of the newest version are
 * the signing keys of the two newest versions, so both are always carried,
 * stamped as retired now; that covers one rolled-back deploy however long ago
 * it was. The edge accepts at most MAX_TICKET_KEYS keys: beyond that the
 * oldest go first.
 */
import { TICKET_TTL_SECONDS } from '../../../../edge-functions/core/multipart-ticket';
import { safeJsonParse } from '../../../../edge-functions/core/safe-json';

/** One entry of config.json `multipartTicketKeys`; the edge reads `id` and `secret` and ignores `retiredAt`. */
export interface TicketKeyConfig {
  readonly id: string;
  readonly secret: string;
  /** When a deploy replaced it as the signing key; absent on the key that signs. */
  readonly retiredAt?: string;
}

/** The edge config's limit (edge-functions/core/edge-config.ts). */
export const MAX_TICKET_KEYS = 4;
/**
 * The old version keeps signing until CloudFront has deployed the new one to
 * every edge (minutes; CloudFormation waits for it): one hour is ample.
 */
export const PROPAGATION_MARGIN_SECONDS = 3600;
/** How long after its retirement a key may still meet a live ticket. */
export const RETIRED_KEY_GRACE_SECONDS = TICKET_TTL_SECONDS + PROPAGATION_MARGIN_SECONDS;
/** The signing keys of the newest and the second-newest published version (the rollback target). */
const ALWAYS_CARRIED = 2;

/**
 * The keys of the next version: `fresh` first (it signs), then the previous
 * version's keys, newest first, that may still verify a live ticket.
 * `previous` is the newest published version's list, in its order.
 */
export function nextTicketKeys(previous: readonly TicketKeyConfig[], fresh: TicketKeyConfig, now: Date): TicketKeyConfig[] {
  const retiredNow = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const carried: TicketKeyConfig[] = [];
  previous.forEach((key, index) => {
    if (index < ALWAYS_CARRIED) {
      carried.push({ id: key.id, secret: key.secret, retiredAt: retiredNow });
      return;
    }
    const { retiredAt } = key;
    const retired = retiredAt === undefined ? Number.NaN : Date.parse(retiredAt);
    // No usable date (a key written before `retiredAt` existed): it was retired at least two deploys ago, like every key the old format dropped.
    if (retiredAt === undefined || Number.isNaN(retired) || now.getTime() - retired >= RETIRED_KEY_GRACE_SECONDS * 1000) return;
    carried.push({ id: key.id, secret: key.secret, retiredAt });
  });
  return [{ id: fresh.id, secret: fresh.secret }, ...carried].slice(0, MAX_TICKET_KEYS);
}

/**
 * The `multipartTicketKeys` of a config.json text, in order; [] when there is
 * no config or no list, and an entry without a string id and secret is
 * skipped (that version's edge refused it anyway). The id and secret are
 * copied as they are: the edge's parser judges them with the rest of the new
 * config, so a damaged key fails the deploy loudly rather than being dropped quietly.
 */
export function ticketKeysOf(configJson: string | undefined): TicketKeyConfig[] {
  const parsed = configJson === undefined ? undefined : safeJsonParse(configJson);
  if (parsed === undefined || !parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return [];
  const keys: unknown = (parsed.value as Record<string, unknown>).multipartTicketKeys;
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((entry: unknown): TicketKeyConfig[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { id, secret, retiredAt } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || typeof secret !== 'string') return [];
    return [typeof retiredAt === 'string' ? { id, secret, retiredAt } : { id, secret }];
  });
}
