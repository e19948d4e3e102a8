/**
 * The shipped firewall rules leave room for a 20 GiB multipart upload
 * (infra/aws/README.md, "Large files and the rate limits"), run through the
 * rule engine that the local edge uses and the web ACL is generated from:
 * every call its part URLs need, from one IP inside one 5-minute window,
 * passes, while the form limit and the /presign* ceiling still hold.
 */
import path from 'node:path';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { createFirewall, type FirewallRequest } from '../../../infra/firewall/engine';
import { loadFirewallRules } from '../../../infra/firewall/rules';
import type { BodySizeRule, RateLimitRule } from '../../../infra/firewall/rule-model';

const MiB = 1024 * 1024;
const shipped = loadFirewallRules(path.join(__dirname, '../../../infra/firewall/firewall-rules.yaml'));
const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);

/** docs/large-files.md: partSize = max(8 MiB, the smallest whole MiB with partCount ≤ 10,000). */
function partPlan(size: number): { partSize: number; partCount: number } {
  const partSize = Math.max(8 * MiB, Math.ceil(size / 10_000 / MiB) * MiB);
  return { partSize, partCount: Math.ceil(size / partSize) };
}

const largest = Math.max(...Object.values(DEFAULT_UPLOAD_RULES.types).map((t) => t.maxBytes));
const rateRule = (name: string): RateLimitRule =>
  shipped.rules.find((r): r is RateLimitRule => r.type === 'rate-limit' && r.name === name)!;

describe('a 20 GiB upload against the shipped rules', () => {
  const { partSize, partCount } = partPlan(largest);
  const partCalls = Math.ceil(partCount / DEFAULT_UPLOAD_RULES.maxPartsPerRequest);

  it('is 2,560 parts of 8 MiB, 256 part-URL calls of 10', () => {
    expect(largest).toBe(20 * 1024 * MiB);
    expect({ partSize, partCount, partCalls }).toEqual({ partSize: 8 * MiB, partCount: 2560, partCalls: 256 });
  });

  it('passes from one IP within one window: the start, every part call signed twice (URLs expired once), and 300 forms besides', () => {
    const firewall = createFirewall(shipped, { now: () => T0 });
    const request = (uri: string, i: number): FirewallRequest => ({ ip: '203.0.113.7', method: 'POST', uri, bodySize: 2048, time: T0 + i });
    let i = 0;
    const verdicts = [
      firewall.inspect(request('/presign/multipart', i++)),
      ...Array.from({ length: 2 * partCalls }, () => firewall.inspect(request('/presign/multipart/parts', i++))),
      ...Array.from({ length: 299 }, () => firewall.inspect(request('/presign', i++))),
    ];
    expect(verdicts.filter((v) => v.action !== 'allow')).toEqual([]);
    // The form limit still holds: the 301st start/form in the window is refused, parts or not.
    expect(firewall.inspect(request('/presign', i++))).toMatchObject({ action: 'block', rule: 'rate-limit-presign', status: 429 });
  });

  it('has a ceiling on every request to the presign function, under the global limit', () => {
    const all = rateRule('rate-limit-presign-all');
    expect(all.paths).toEqual([{ match: 'prefix', path: '/presign' }]);
    expect(all.limit).toBeGreaterThanOrEqual(2 * partCalls + 300);
    expect(all.limit).toBeLessThan(rateRule('rate-limit-all').limit);
    const firewall = createFirewall(shipped);
    for (let i = 0; i < all.limit; i += 1) {
      expect(firewall.inspect({ ip: '198.51.100.1', method: 'POST', uri: '/presign/multipart/parts', time: T0 + i }).action).toBe('allow');
    }
    expect(firewall.inspect({ ip: '198.51.100.1', method: 'POST', uri: '/presign/unknown', time: T0 + all.limit })).toMatchObject({
      action: 'block',
      rule: 'rate-limit-presign-all',
    });
  });

  it('would not have fitted under the old rule: 300 per 5 minutes on every /presign* path', () => {
    expect(2 * partCalls + 1).toBeGreaterThan(rateRule('rate-limit-presign').limit);
  });

  it('keeps every presign path under the 8 KiB body rule, and a full parts request far below it', () => {
    const body = shipped.rules.find((r): r is BodySizeRule => r.type === 'body-size' && r.name === 'body-size-api')!;
    const firewall = createFirewall(shipped);
    for (const uri of ['/presign', '/presign/multipart', '/presign/multipart/parts', '/presign/files/access', '/presignX']) {
      expect(firewall.inspect({ ip: `192.0.2.${uri.length}`, method: 'POST', uri, bodySize: body.maxBytes + 1 })).toMatchObject({
        action: 'block',
        rule: 'body-size-api',
      });
    }
    // The largest parts request: a long key, a long upload id, a generous ticket, 10 part numbers with MD5s.
    const largestParts = JSON.stringify({
      key: `uploads/${'s'.repeat(36)}/2026/12/06/${'i'.repeat(36)}/${'n'.repeat(DEFAULT_UPLOAD_RULES.maxFileNameBytes)}`,
      uploadId: 'u'.repeat(256),
      ticket: 't'.repeat(1024),
      parts: Array.from({ length: DEFAULT_UPLOAD_RULES.maxPartsPerRequest }, (_, n) => ({ partNumber: 9990 + n, md5: 'm'.repeat(24) })),
    });
    expect(Buffer.byteLength(largestParts)).toBeLessThan(body.maxBytes / 3);
  });
});
