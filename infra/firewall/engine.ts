/**
 * The firewall rule engine: the rules file applied to one request at a time,
 * the way the WAF web ACL would. Pure: no I/O, and no clock of its own: a
 * request's own `time` is used when it has one (replayed log lines), else the
 * injected `now()` (the local edge, live). The local edge calls `inspect` per
 * request; `waf:replay` feeds it log lines and then reads
 * `trippedRateLimits()`.
 *
 * How this follows WAF:
 * - Rules run in ascending priority. A `block` rule that matches ends the
 *   evaluation with its status; a `count` rule that matches is recorded in
 *   `counted` and evaluation goes on. Nothing matched: allow (the web ACL's
 *   default action).
 * - A rule after a terminating block never sees the request, so a request
 *   blocked by geo-deny is not counted by a later rate limit, as in WAF.
 * - Paths are matched after WAF's text transformations (URL_DECODE, then
 *   NORMALIZE_PATH: path-transform.ts, the same list the web ACL applies),
 *   so `/auth//login` and `/x/../auth/login` are under `/auth/` here as on AWS.
 * - Rate limits aggregate per IP (WAF's aggregate key IP). With paths, only
 *   requests on those paths are counted (WAF's scope-down statement). A
 *   request matches once the IP has sent more than `limit` counted requests in
 *   the last `windowSeconds`, this one included, so request limit+1 is the
 *   first refused. Requests the rule itself blocks are still counted, so an IP
 *   that keeps going stays limited until its rate falls back under the limit.
 *
 * Where it differs from WAF (on purpose, and documented in README.md):
 * - WAF computes rates every few seconds (its docs have said every 30 s and,
 *   more recently, about every 10 s) and "does not guarantee an exact limit
 *   match": on AWS a burst can get past the limit for a few seconds before
 *   blocking starts, and blocking can outlast the window by as much. Locally
 *   the window is exact, to the millisecond, and acts on the very next
 *   request. A change that trips locally trips on AWS, a little later.
 * - Managed rule groups (AWS's own, secret rules) cannot be run here. They are
 *   skipped and listed in `notEvaluatedLocally`.
 * - Geo comes from `country` (CloudFront-Viewer-Country locally), not from
 *   WAF's IP geolocation; an unknown country matches no geo rule. A body of
 *   unknown size matches no body-size rule.
 * - Memory is bounded: per rate rule at most `maxTrackedIps` IPs (least
 *   recently seen dropped first, which forgets that IP's count), and per IP at
 *   most limit+1 timestamps (enough to decide "more than limit").
 */
import type { FirewallRule, FirewallRules, PathMatch, RateLimitRule, RuleAction } from './rule-model';
import { transformPath } from './path-transform';
import { WAF_DEFAULT_BLOCK_STATUS } from './waf-limits';

export interface FirewallRequest {
  /** The viewer's IP, the rate-limit key. */
  readonly ip: string;
  /** ISO 3166-1 alpha-2 country of the viewer, when known. */
  readonly country?: string | undefined;
  readonly method: string;
  /** The request path, with or without a query string (the query is ignored). */
  readonly uri: string;
  /** Body length in bytes, when known. */
  readonly bodySize?: number | undefined;
  /** When the request arrived, in milliseconds since the epoch; defaults to `now()`. */
  readonly time?: number | undefined;
}

export interface FirewallVerdict {
  readonly action: 'allow' | 'block';
  /** The HTTP status to answer a block with. */
  readonly status?: number;
  /** The rule that blocked. */
  readonly rule?: string;
  /** The `count` rules that matched, in evaluation order. */
  readonly counted: readonly string[];
}

/** One IP that went over one rate limit. */
export interface RateLimitTrip {
  readonly rule: string;
  readonly action: RuleAction;
  readonly ip: string;
  /** Time of the first request over the limit (ms since the epoch). */
  readonly firstAt: number;
  /** Time of the latest request over the limit. */
  readonly lastAt: number;
  /** How many requests from this IP were over the limit (blocked, or counted in count mode). */
  readonly requestsOverLimit: number;
}

export interface FirewallStats {
  /** IPs with a live window, per rate-limit rule name. Never more than `maxTrackedIps` each. */
  readonly trackedIps: Readonly<Record<string, number>>;
  readonly tripRecords: number;
  /** Trips not recorded because `maxTripRecords` was reached. */
  readonly droppedTripRecords: number;
}

export interface FirewallOptions {
  /** Milliseconds since the epoch, for requests without a `time`. Default Date.now. */
  readonly now?: () => number;
  /** Per rate-limit rule, the most IPs tracked at once. Default 10,000. */
  readonly maxTrackedIps?: number;
  /** The most (rule, IP) trips kept for `trippedRateLimits()`. Default 10,000. */
  readonly maxTripRecords?: number;
}

export interface Firewall {
  readonly rules: FirewallRules;
  /** Names of the rules this engine cannot evaluate (managed rule groups), in priority order. */
  readonly notEvaluatedLocally: readonly string[];
  /** Never throws. */
  inspect(request: FirewallRequest): FirewallVerdict;
  /** Every (rule, IP) that went over a rate limit so far, in rule priority order then IP. */
  trippedRateLimits(): readonly RateLimitTrip[];
  stats(): FirewallStats;
}

/**
 * 10,000 viewers at once is far beyond what a developer's local stack sees,
 * and at limit+1 timestamps each (2,001 for the default global rule) it caps
 * the worst case at a few hundred MB even for a replayed flood.
 */
export const DEFAULT_MAX_TRACKED_IPS = 10_000;
export const DEFAULT_MAX_TRIP_RECORDS = 10_000;
/** Stale IPs dropped per request: enough to keep up, small enough to keep inspect O(1). */
const PRUNE_PER_REQUEST = 4;

export function createFirewall(rules: FirewallRules, options: FirewallOptions = {}): Firewall {
  const now = options.now ?? Date.now;
  const maxTrackedIps = positiveInteger(options.maxTrackedIps, DEFAULT_MAX_TRACKED_IPS);
  const maxTripRecords = positiveInteger(options.maxTripRecords, DEFAULT_MAX_TRIP_RECORDS);

  const windows = new Map<RateLimitRule, Map<string, SlidingWindow>>();
  for (const rule of rules.rules) if (rule.type === 'rate-limit') windows.set(rule, new Map());
  const trips = new Map<string, MutableTrip>();
  let droppedTripRecords = 0;
  /** Time never runs backwards: replayed logs are only roughly in order. */
  let latest = Number.NEGATIVE_INFINITY;

  const clock = (requested: unknown): number => {
    let t = typeof requested === 'number' && Number.isFinite(requested) ? requested : now();
    if (!Number.isFinite(t)) t = latest === Number.NEGATIVE_INFINITY ? 0 : latest;
    latest = Math.max(latest, t);
    return latest;
  };

  const recordTrip = (rule: RateLimitRule, ip: string, t: number): void => {
    const key = `${rule.name}\u0000${ip}`;
    const trip = trips.get(key);
    if (trip !== undefined) {
      trip.lastAt = t;
      trip.requestsOverLimit += 1;
    } else if (trips.size < maxTripRecords) {
      trips.set(key, { rule: rule.name, action: rule.action, ip, firstAt: t, lastAt: t, requestsOverLimit: 1, priority: rule.priority });
    } else {
      droppedTripRecords += 1;
    }
  };

  const overRateLimit = (rule: RateLimitRule, ip: string, t: number): boolean => {
    const perIp = windows.get(rule);
    if (perIp === undefined) return false;
    const windowMs = rule.windowSeconds * 1000;
    let window = perIp.get(ip);
    if (window === undefined) {
      window = new SlidingWindow();
    } else {
      perIp.delete(ip); // re-inserted below: Map order is least recently seen first
    }
    perIp.set(ip, window);
    const count = window.add(t, windowMs, rule.limit + 1);

    // Drop least recently seen IPs: always while over the cap, and a few whose
    // window has emptied, so that memory follows live traffic without a sweep.
    let pruned = 0;
    for (const [oldIp, oldWindow] of perIp) {
      if (oldIp === ip) break; // reached the IP just seen, the most recent
      const overCap = perIp.size > maxTrackedIps;
      const stale = oldWindow.lastAt <= t - windowMs;
      if (!overCap && !(stale && pruned < PRUNE_PER_REQUEST)) break;
      perIp.delete(oldIp);
      if (!overCap) pruned += 1;
    }
    return count > rule.limit;
  };

  const matches = (rule: FirewallRule, request: Normalized): boolean => {
    switch (rule.type) {
      case 'geo-deny':
        return request.country !== undefined && rule.countries.includes(request.country);
      case 'body-size':
        return request.bodySize !== undefined && inScope(rule.paths, request.path) && request.bodySize > rule.maxBytes;
      case 'rate-limit':
        return inScope(rule.paths, request.path) && overRateLimit(rule, request.ip, request.time);
      case 'managed-rule-group':
        return false;
    }
  };

  const inspect = (request: FirewallRequest): FirewallVerdict => {
    const normalized = normalize(request, clock);
    const counted: string[] = [];
    for (const rule of rules.rules) {
      if (!matches(rule, normalized)) continue;
      if (rule.type === 'rate-limit') recordTrip(rule, normalized.ip, normalized.time);
      if (rule.action === 'count') {
        counted.push(rule.name);
        continue;
      }
      return { action: 'block', status: 'status' in rule ? rule.status : WAF_DEFAULT_BLOCK_STATUS, rule: rule.name, counted };
    }
    return { action: 'allow', counted };
  };

  return {
    rules,
    notEvaluatedLocally: Object.freeze(rules.rules.filter((r) => r.type === 'managed-rule-group').map((r) => r.name)),
    inspect,
    trippedRateLimits: () =>
      [...trips.values()]
        .sort((a, b) => a.priority - b.priority || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
        .map(({ priority: _priority, ...trip }) => Object.freeze(trip)),
    stats: () => ({
      trackedIps: Object.fromEntries([...windows].map(([rule, perIp]) => [rule.name, perIp.size])),
      tripRecords: trips.size,
      droppedTripRecords,
    }),
  };
}

interface MutableTrip {
  rule: string;
  action: RuleAction;
  ip: string;
  firstAt: number;
  lastAt: number;
  requestsOverLimit: number;
  priority: number;
}

interface Normalized {
  readonly ip: string;
  readonly country: string | undefined;
  /** The URI path without the query, after the text transformations rules match on. */
  readonly path: string;
  readonly bodySize: number | undefined;
  readonly time: number;
}

/** The request as the rules read it; tolerant of anything a caller may pass. */
function normalize(request: FirewallRequest, clock: (t: unknown) => number): Normalized {
  const uri = typeof request.uri === 'string' ? request.uri : '';
  const cut = uri.search(/[?#]/);
  const country = typeof request.country === 'string' ? request.country.trim().toUpperCase() : '';
  const bodySize = request.bodySize;
  return {
    ip: typeof request.ip === 'string' ? request.ip : String(request.ip),
    country: country === '' ? undefined : country,
    path: transformPath(cut === -1 ? uri : uri.slice(0, cut)),
    bodySize: typeof bodySize === 'number' && Number.isFinite(bodySize) && bodySize >= 0 ? bodySize : undefined,
    time: clock(request.time),
  };
}

/** WAF's URI-path byte match on the transformed path (normalize()), case-sensitive, as CloudFront routes. */
function inScope(paths: readonly PathMatch[], path: string): boolean {
  if (paths.length === 0) return true;
  return paths.some((p) => (p.match === 'prefix' ? path.startsWith(p.path) : path === p.path));
}

function positiveInteger(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

/**
 * Request times within one window for one IP, oldest first, as (time, count)
 * runs so that requests in the same millisecond (or the same second of a
 * replayed log) share an entry. Holds at most `cap` requests: only "more than
 * limit" matters, so the oldest beyond limit+1 can be forgotten.
 */
class SlidingWindow {
  private times: number[] = [];
  private counts: number[] = [];
  private head = 0;
  private total = 0;

  get lastAt(): number {
    return this.times[this.times.length - 1] ?? Number.NEGATIVE_INFINITY;
  }

  /** Adds a request at `t` (never earlier than the last) and returns how many are in (t - windowMs, t], at most `cap`. */
  add(t: number, windowMs: number, cap: number): number {
    const cutoff = t - windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? t) <= cutoff) {
      this.total -= this.counts[this.head] ?? 0;
      this.head += 1;
    }
    const last = this.times.length - 1;
    if (last >= this.head && this.times[last] === t) {
      this.counts[last] = (this.counts[last] ?? 0) + 1;
    } else {
      this.times.push(t);
      this.counts.push(1);
    }
    this.total += 1;

    while (this.total > cap && this.head < this.times.length) {
      const oldest = this.counts[this.head] ?? 0;
      const excess = this.total - cap;
      if (oldest <= excess) {
        this.total -= oldest;
        this.head += 1;
      } else {
        this.counts[this.head] = oldest - excess;
        this.total -= excess;
      }
    }
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
    return this.total;
  }
}
