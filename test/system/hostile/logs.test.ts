/**
 * Everything the local stack logs during a whole session with hostile input
 * mixed in (sign-up, wrong codes, wrong and weak passwords, refresh, forged
 * and misplaced tokens, presign, uploads with forged forms, password reset,
 * logout, reuse of a revoked refresh token) holds no token, password,
 * confirmation or reset code, or refresh token (docs/http-api.md: "No error ever
 * echoes a token…"; "the refresh token never appears in … a log line").
 *
 * Scanned: every line the stack's parts logged (the harness keeps the `log`
 * option's lines), anything printed to this process's stdout, stderr or
 * console, and cognito-local's own output file. cognito-local is the local
 * stand-in for Cognito's email: it "sends" a code by printing it in a
 * delivery box, as the dev mailbox stores it. Codes may appear in those
 * boxes and nowhere else; nothing else secret may appear in that file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { send } from '../../support/post-forms';
import {
  claims,
  logIn,
  mailbox,
  PASSWORD,
  pngBytes,
  postJson,
  presign,
  presignOne,
  startTestStack,
  uploadFile,
  type TestStack,
} from '../local-stack/support/stack-harness';
import { cognitoLocalSigner, resigned } from './support/hostile-harness';
import { captureProcessOutput, findSecrets, type ProcessOutputCapture, type Secret } from './support/log-scan';

jest.setTimeout(60_000);

const EMAIL = 'logs-session@example.com';
const NEW_PASSWORD = 'Another-Horse-7-Battery';
const WRONG_PASSWORD = 'Wrong-Horse-1-Battery';
const WEAK_PASSWORD = 'weakpass';

let harness: TestStack;
let capture: ProcessOutputCapture;
const secrets: Secret[] = [];
const remember = (label: string, value: string | undefined): void => {
  if (value !== undefined && value !== '') secrets.push({ label, value });
};
const cookieValue = (setCookie: string | string[] | undefined): string | undefined => {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const value = first?.split(';')[0]?.split('=').slice(1).join('=');
  return value === undefined || value === '' ? undefined : value;
};

beforeAll(async () => {
  capture = captureProcessOutput();
  harness = await startTestStack();
  const { stack } = harness;
  remember('the password', PASSWORD);
  remember('the new password', NEW_PASSWORD);
  remember('a wrong password', WRONG_PASSWORD);
  remember('a weak password', WEAK_PASSWORD);

  // Sign-up, with a weak password first and a wrong code before the right one.
  expect((await postJson(stack, '/auth/register', { email: EMAIL, password: WEAK_PASSWORD })).status).toBe(400);
  expect((await postJson(stack, '/auth/register', { email: EMAIL, password: PASSWORD })).status).toBe(201);
  const confirmCode = (await mailbox(stack, EMAIL)).at(-1)?.code;
  remember('the confirmation code', confirmCode);
  expect((await postJson(stack, '/auth/confirm', { email: EMAIL, code: confirmCode === '000000' ? '111111' : '000000' })).status).toBe(400);
  expect((await postJson(stack, '/auth/confirm', { email: EMAIL, code: confirmCode })).status).toBe(200);

  // Login: wrong password, then right; the password in a query string too (logs keep the path only).
  expect((await postJson(stack, '/auth/login', { email: EMAIL, password: WRONG_PASSWORD })).status).toBe(401);
  expect(
    (await postJson(stack, `/auth/login?email=${EMAIL}&password=${PASSWORD}`, { email: EMAIL, password: WRONG_PASSWORD })).status,
  ).toBe(401);
  const first = await logIn(stack, EMAIL);
  remember('the first access token', first.accessToken);
  remember('the first id token', first.idToken);
  remember('the first refresh token', first.refreshCookie.split('=').slice(1).join('='));

  // Refresh, and a forged refresh cookie.
  const refreshed = await postJson(stack, '/auth/refresh', '', { Cookie: first.refreshCookie });
  expect(refreshed.status).toBe(200);
  const refreshedBody = JSON.parse(refreshed.body) as { accessToken: string; idToken: string };
  remember('the refreshed access token', refreshedBody.accessToken);
  remember('the refreshed id token', refreshedBody.idToken);
  remember('a rotated refresh token', cookieValue(refreshed.headers['set-cookie']));
  expect(
    (await postJson(stack, '/auth/refresh', '', { Cookie: '__Secure-edge_upload_refresh=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' })).status,
  ).toBe(401);

  // Presign: tokens in the wrong places, forged tokens, a bad body, then a real upload and forged forms.
  const signer = cognitoLocalSigner();
  const forged = {
    'an expired re-signed token': resigned(signer, first.accessToken, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } }),
    'an alg-none token': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${first.accessToken.split('.')[1]}.`,
    'a token for another client': resigned(signer, first.accessToken, { claims: { client_id: 'anotherclient000000000000' } }),
  };
  for (const [label, token] of Object.entries(forged)) {
    remember(label, token);
    expect((await presign(stack, token, [{ name: 'a.png', size: 10, type: 'image/png' }])).status).toBe(401);
  }
  expect((await presign(stack, first.idToken, [{ name: 'a.png', size: 10, type: 'image/png' }])).status).toBe(401);
  expect((await postJson(stack, '/auth/logout', '', { Authorization: `Bearer ${first.accessToken}` })).status).toBe(204);
  expect(
    (
      await send(`${stack.url}/presign`, 'POST', Buffer.from('{"files":['), {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${first.accessToken}`,
        Cookie: first.refreshCookie,
      })
    ).status,
  ).toBe(400);
  expect((await presign(stack, first.accessToken, [{ name: `../${PASSWORD}.exe`, size: 10, type: 'image/png' }])).status).toBe(415);
  const upload = await presignOne(stack, first.accessToken, { name: 'holiday.png', size: 100, type: 'image/png' });
  remember('a policy signature', upload.fields['X-Amz-Signature']);
  expect((await uploadFile(stack, upload, pngBytes(100), { fieldOverrides: { 'X-Amz-Signature': '0'.repeat(64) } })).status).toBe(403);
  expect((await uploadFile(stack, upload, pngBytes(100), { extraFields: [['x-amz-meta-password', PASSWORD]] })).status).toBe(403);
  expect((await uploadFile(stack, upload, pngBytes(100))).status).toBe(201);

  // Password reset: a wrong code, then the right one; the old password then fails.
  expect((await postJson(stack, '/auth/forgot', { email: EMAIL })).status).toBe(200);
  const resetCode = (await mailbox(stack, EMAIL)).filter((message) => message.kind === 'reset').at(-1)?.code;
  remember('the reset code', resetCode);
  expect(
    (await postJson(stack, '/auth/reset', { email: EMAIL, code: resetCode === '000000' ? '111111' : '000000', newPassword: NEW_PASSWORD }))
      .status,
  ).toBe(400);
  expect((await postJson(stack, '/auth/reset', { email: EMAIL, code: resetCode, newPassword: NEW_PASSWORD })).status).toBe(200);
  expect((await postJson(stack, '/auth/login', { email: EMAIL, password: PASSWORD })).status).toBe(401);
  const second = await logIn(stack, EMAIL, NEW_PASSWORD);
  remember('the second access token', second.accessToken);
  remember('the second refresh token', second.refreshCookie.split('=').slice(1).join('='));
  expect(claims(second.accessToken)['sub']).toBe(claims(first.accessToken)['sub']);

  // Logout revokes; the revoked refresh token is then refused.
  expect((await postJson(stack, '/auth/logout', '', { Cookie: second.refreshCookie })).status).toBe(204);
  expect((await postJson(stack, '/auth/refresh', '', { Cookie: second.refreshCookie })).status).toBe(401);

  // cognito-local writes its output asynchronously; let it land before it is read.
  await new Promise((resolve) => setTimeout(resolve, 300));
});

afterAll(async () => {
  capture?.restore();
  await harness?.stop();
});

/** cognito-local's "email": a box from ╭ to ╯ holding the code it sent. */
const DELIVERY_BOX = /╭[^╯]*Confirmation Code Delivery[^╯]*╯/g;

describe('what the stack logged during a hostile session', () => {
  it('the scan itself finds what it looks for (so an empty result means something)', () => {
    const token = secrets.find((secret) => secret.label === 'the first access token')?.value ?? '';
    const code = secrets.find((secret) => secret.label === 'the confirmation code')?.value ?? '';
    expect(findSecrets(`{"msg":"x","note":"${token}"}`, secrets)).toEqual(
      expect.arrayContaining(['the first access token', expect.stringMatching(/^a JWT/)]),
    );
    expect(findSecrets(`sent ${code} to you`, secrets)).toEqual(['the confirmation code']);
    expect(findSecrets(`latency 1${code}7 ms`, secrets)).toEqual([]);
    expect(findSecrets('{"password":"hunter2"}', [])).toEqual([expect.stringMatching(/credential JSON field/)]);
    expect(findSecrets('Cookie: __Secure-edge_upload_refresh=abcdefghijkl', [])).toEqual([expect.stringMatching(/refresh cookie/)]);
  });

  it('was captured: the edge, the presign function, the auth API and the guard all logged', () => {
    const lines = harness.logs.join('\n');
    expect(lines).toMatch(/"msg":"edge request"/);
    expect(lines).toMatch(/"msg":"auth request"/);
    expect(lines).toMatch(/\[presign\] .*"route":"\/presign"/);
    expect(lines).toMatch(/"msg":"guard request"/);
    expect(secrets.length).toBeGreaterThanOrEqual(15);
  });

  it("the parts' log lines hold no token, password, code or refresh token", () => {
    expect(findSecrets(harness.logs.join('\n'), secrets)).toEqual([]);
  });

  it('nothing printed to stdout, stderr or the console holds one either', () => {
    expect(findSecrets(capture.chunks.join('\n'), secrets)).toEqual([]);
  });

  it("cognito-local's output holds codes only in its delivery boxes (the local email), and no token or password", () => {
    const output = readFileSync(path.join(harness.stateDir, 'cognito-local.log'), 'utf8');
    const boxes = output.match(DELIVERY_BOX) ?? [];
    expect(boxes.length).toBeGreaterThanOrEqual(2); // sign-up and forgot-password
    expect(findSecrets(output.replace(DELIVERY_BOX, '<delivery>'), secrets)).toEqual([]);
    const inBoxes = boxes.join('\n');
    expect(
      findSecrets(
        inBoxes,
        secrets.filter((secret) => !/code$/.test(secret.label)),
      ),
    ).toEqual([]);
  });
});
