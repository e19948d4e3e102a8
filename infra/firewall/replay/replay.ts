/**
 * The replay itself, pure: the requests of one or more logs, in time order,
 * through one fresh engine per rules file (engine.ts, the same engine the
 * local edge runs), tallied per rule. Each rules file sees every request on
 * its own clock, so the current and a proposed file are compared on exactly
 * the same traffic.
 */
import { createFirewall, type RateLimitTrip } from '../engine';
import type { FirewallRules, RuleAction, RuleType } from '../rule-model';
import type { ReplayRequest } from './log-formats';

export interface RuleSetInput {
  /** "current", "proposed". */
  readonly label: string;
  readonly rules: FirewallRules;
}

export interface RuleTally {
  readonly name: string;
  readonly type: RuleType;
  readonly action: RuleAction;
  /** Requests this rule ended with a block (0 for a count rule). */
  readonly blocked: number;
  /** Requests this count rule matched (0 for a block rule). */
  readonly counted: number;
  /** False for managed rule groups: AWS's own rules cannot be run here. */
  readonly evaluated: boolean;
}

/** What one rules file did in one minute of the logs (minutes without requests are left out). */
export interface MinuteTally {
  /** Start of the minute, milliseconds since the epoch (UTC). */
  readonly minute: number;
  readonly allowed: number;
  /** Requests each rule ended with a block in this minute; rules with none are left out. */
  readonly blocked: Readonly<Record<string, number>>;
  /** Requests each count rule matched in this minute; rules with none are left out. */
  readonly counted: Readonly<Record<string, number>>;
}

export const MINUTE_MS = 60_000;

export interface RuleSetResult {
  readonly label: string;
  /** The rules file, as given. */
  readonly source: string;
  readonly allowed: number;
  readonly blocked: number;
  /** In the file's evaluation order. */
  readonly rules: readonly RuleTally[];
  /** Every (rate-limit rule, IP) that went over its limit, in rule order then IP. */
  readonly trips: readonly RateLimitTrip[];
  /** Trips not kept because the engine's record cap was reached. */
  readonly droppedTrips: number;
  /** Per minute, in time order: what the HTML chart draws (html-report.ts). */
  readonly minutes: readonly MinuteTally[];
}

export interface TrafficStats {
  readonly requests: number;
  readonly firstAt: number | undefined;
  readonly lastAt: number | undefined;
  /** Geo rules cannot match these. */
  readonly withoutCountry: number;
  /** Body-size rules cannot match these. */
  readonly withoutBodySize: number;
}

export interface ReplayResult {
  readonly traffic: TrafficStats;
  readonly ruleSets: readonly RuleSetResult[];
}

export function replayRequests(requests: readonly ReplayRequest[], ruleSets: readonly RuleSetInput[]): ReplayResult {
  // Logs are only roughly in time order, and several files interleave; a stable sort keeps equal times in file order.
  const ordered = [...requests].sort((a, b) => a.time - b.time);
  return {
    traffic: {
      requests: ordered.length,
      firstAt: ordered[0]?.time,
      lastAt: ordered[ordered.length - 1]?.time,
      withoutCountry: ordered.filter((r) => r.country === undefined).length,
      withoutBodySize: ordered.filter((r) => r.bodySize === undefined).length,
    },
    ruleSets: ruleSets.map((set) => replayOne(ordered, set)),
  };
}

function replayOne(requests: readonly ReplayRequest[], { label, rules }: RuleSetInput): RuleSetResult {
  // Every request carries its own time; the engine's clock is never read.
  const firewall = createFirewall(rules, { now: () => 0 });
  const blocked = new Map<string, number>();
  const counted = new Map<string, number>();
  const add = (tally: Map<string, number>, name: string) => tally.set(name, (tally.get(name) ?? 0) + 1);
  let allowed = 0;
  let blockedTotal = 0;
  // Requests are in time order, so minutes are appended in order too.
  const minutes: Array<{ minute: number; allowed: number; blocked: Record<string, number>; counted: Record<string, number> }> = [];
  const bump = (tally: Record<string, number>, name: string) => (tally[name] = (tally[name] ?? 0) + 1);

  for (const request of requests) {
    const verdict = firewall.inspect(request);
    const minute = Math.floor(request.time / MINUTE_MS) * MINUTE_MS;
    let current = minutes[minutes.length - 1];
    if (current === undefined || current.minute !== minute) {
      current = { minute, allowed: 0, blocked: {}, counted: {} };
      minutes.push(current);
    }
    for (const name of verdict.counted) {
      add(counted, name);
      bump(current.counted, name);
    }
    if (verdict.action === 'block' && verdict.rule !== undefined) {
      add(blocked, verdict.rule);
      bump(current.blocked, verdict.rule);
      blockedTotal += 1;
    } else {
      allowed += 1;
      current.allowed += 1;
    }
  }

  const notEvaluated = new Set(firewall.notEvaluatedLocally);
  return {
    label,
    source: rules.source,
    allowed,
    blocked: blockedTotal,
    rules: rules.rules.map((rule) => ({
      name: rule.name,
      type: rule.type,
      action: rule.action,
      blocked: blocked.get(rule.name) ?? 0,
      counted: counted.get(rule.name) ?? 0,
      evaluated: !notEvaluated.has(rule.name),
    })),
    trips: firewall.trippedRateLimits(),
    droppedTrips: firewall.stats().droppedTripRecords,
    minutes,
  };
}
