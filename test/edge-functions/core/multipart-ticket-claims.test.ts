/**
 * The parts route holds a genuine ticket to what the start route could have
 * issued (review finding 6). The ticket keys sit in the function package, so
 * a leaked key must not buy part URLs past the upload rules: each ticket here
 * is minted with the deployed key itself, as someone holding that key would,
 * and every one that /presign/multipart would never have written is the one
 * 403 INVALID_TICKET, its log line naming the check.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { signTicket, type TicketClaims } from '../../../edge-functions/core/multipart-ticket';
import { planParts } from '../../../edge-functions/core/part-plan';
import { DEFAULT_UPLOAD_RULES, GiB, MiB } from '../../../edge-functions/core/upload-rules';
import { bodyOf, viewerRequest, withBody, withToken } from '../../support/lambda-edge-events';
import { FIXED_NOW, jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, TEST_SUB } from '../../support/tokens';

const harness = presignHarness();
const token = accessToken(harness.key);
const ID = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const keyFor = (name: string, sub = TEST_SUB) => `uploads/${sub}/2026/11/29/${ID}/${name}`;
const KEY = keyFor('talk.mp4');
const EXP = FIXED_NOW.getTime() / 1000 + 3600;
const lastLog = () => harness.logs[harness.logs.length - 1];

/** A ticket for `claims`, signed with the deployed key: the leaked-key case. */
function mint(claims: Partial<TicketClaims> & { size?: number }): { key: string; ticket: string } {
  const size = claims.size ?? 1234;
  const full: TicketClaims = { sub: TEST_SUB, key: KEY, type: 'video/mp4', size, ...planParts(size), exp: EXP, ...claims };
  return { key: full.key, ticket: signTicket(full, harness.config.multipartTicketKeys) };
}

async function askParts(key: string, ticket: string, partNumber = 1): Promise<CloudFrontResultResponse> {
  const body = { ...(bodyOf(viewerRequest('presign-multipart-parts')) as Record<string, unknown>), key, ticket, parts: [{ partNumber }] };
  return harness.handler(withToken(withBody(viewerRequest('presign-multipart-parts'), body), token));
}

function expectRefused(response: CloudFrontResultResponse, reason: string): void {
  expect(response.status).toBe('403');
  expect(jsonBody(response)).toEqual({
    error: { code: 'INVALID_TICKET', message: 'The upload ticket is not valid for this upload; start the upload again.' },
  });
  expect(response.body).not.toContain('X-Amz-Signature');
  expect(lastLog()).toMatchObject({ route: '/presign/multipart/parts', status: 403, code: 'INVALID_TICKET', reason });
}

describe('/presign/multipart/parts checks what a genuine ticket claims', () => {
  const mp4Limit = DEFAULT_UPLOAD_RULES.types['video/mp4']!.maxBytes;

  it.each([
    ['a size over the type limit (with its own plan)', { size: mp4Limit + 1 }, 'over-type-limit'],
    ['a size of 200 GiB for a 5 GiB type', { key: keyFor('backup.zip'), type: 'application/zip', size: 200 * GiB }, 'over-type-limit'],
    ['5 GiB parts', { size: 10 * GiB, partSize: 5 * GiB, partCount: 2 }, 'off-plan'],
    ['a larger partSize with a consistent partCount', { size: 64 * MiB, partSize: 16 * MiB, partCount: 4 }, 'off-plan'],
    ['one part for a multi-part size', { size: 100 * MiB, partSize: 100 * MiB, partCount: 1 }, 'off-plan'],
    ['a type that is not allowed', { key: keyFor('page.html'), type: 'text/html' }, 'type-not-allowed'],
    ['a type written in another case', { type: 'Video/MP4' }, 'type-not-allowed'],
    ["an allowed type the name's extension is not of", { type: 'video/quicktime' }, 'extension-not-of-type'],
    ['a name without an extension', { key: keyFor('talk') }, 'extension-not-of-type'],
    ['an upper-case extension (the start route lower-cases it)', { key: keyFor('talk.MP4') }, 'extension-not-of-type'],
    ['a key under the quarantine prefix', { key: `quarantine/${TEST_SUB}/2026/11/29/${ID}/talk.mp4` }, 'key-off-scheme'],
    ['a key outside any prefix', { key: 'talk.mp4' }, 'key-off-scheme'],
    ["a key under another user's prefix", { key: keyFor('talk.mp4', '11111111-2222-4333-8444-555555555555') }, 'key-off-scheme'],
    ["a key under a sub that merely starts with the caller's", { key: keyFor('talk.mp4', `${TEST_SUB}x`) }, 'key-off-scheme'],
    ['a key without the date and id', { key: `uploads/${TEST_SUB}/talk.mp4` }, 'key-off-scheme'],
    ['a key with ..', { key: `uploads/${TEST_SUB}/2026/11/29/${ID}/../../../../other/talk.mp4` }, 'key-off-scheme'],
    ['a key with a deeper path', { key: `uploads/${TEST_SUB}/2026/11/29/${ID}/dir/talk.mp4` }, 'key-off-scheme'],
    ['a key with percent-encoding', { key: keyFor('t%2Falk.mp4') }, 'key-off-scheme'],
    [
      'a key with a name over maxFileNameBytes',
      { key: keyFor(`${'a'.repeat(DEFAULT_UPLOAD_RULES.maxFileNameBytes)}.mp4`) },
      'key-off-scheme',
    ],
  ])('refuses a ticket with %s', async (_what, claims, reason) => {
    const { key, ticket } = mint(claims);
    expectRefused(await askParts(key, ticket), reason);
  });

  it('signs for a minted ticket only what the start route would have issued anyway', async () => {
    const { key, ticket } = mint({ size: mp4Limit });
    expect(planParts(mp4Limit)).toEqual({ partSize: 8 * MiB, partCount: 2560 });
    const response = await askParts(key, ticket, 2560);
    expect(response.status).toBe('200');
    expect((jsonBody(response) as { parts: { size: number }[] }).parts[0]!.size).toBe(8 * MiB);
  });

  it('accepts every ticket the start route issues: each allowed type and extension, at 1 byte and at its limit', async () => {
    for (const [type, rule] of Object.entries(DEFAULT_UPLOAD_RULES.types)) {
      for (const extension of rule.extensions) {
        for (const size of [1, rule.maxBytes]) {
          const file = { name: `Ünïcode name.${extension.toUpperCase()}`, size, type };
          const started = await harness.handler(withToken(withBody(viewerRequest('presign-multipart-start'), { file }), token));
          expect([type, extension, size, started.status]).toEqual([type, extension, size, '200']);
          const { key, ticket, partCount } = jsonBody(started) as { key: string; ticket: string; partCount: number };
          const parts = await askParts(key, ticket, partCount);
          expect([type, extension, size, parts.status]).toEqual([type, extension, size, '200']);
        }
      }
    }
  });
});
