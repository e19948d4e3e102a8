/**
 * The real auth handler against cognito-local (started and stopped here, on a
 * free loopback port, seeded with a fixed pool and client), driven by the
 * recorded API Gateway events. Also pins down what cognito-local does and
 * does not do, so the README's claims about it stay true.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createAuthHandler, type AuthHandler } from '../../../origin/auth/handler';
import { parseAuthConfig } from '../../../origin/core/config';
import { jsonLineLogger } from '../../../origin/core/request-log';
import { startCognitoLocal, type CognitoLocal } from '../../support/cognito-local';
import { FIXTURE, loadEvent, setCookies, withBody, withHeader } from '../support/events';
import { errorBody, jsonBody } from '../support/harness';

jest.setTimeout(60_000);

const CREDENTIAL_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const savedEnv = { ...process.env };

let cognito: CognitoLocal;
let handler: AuthHandler;
const logs: string[] = [];

function envFor(local: CognitoLocal): Record<string, string> {
  return {
    USER_POOL_ID: local.userPoolId,
    USER_POOL_CLIENT_ID: local.clientId,
    SITE_ORIGIN: FIXTURE.siteOrigin,
    COGNITO_ENDPOINT: local.endpoint,
    COGNITO_MAX_ATTEMPTS: '1',
  };
}

beforeAll(async () => {
  // Dummy credentials, only for the SDK's signer: cognito-local does not check them.
  Object.assign(process.env, CREDENTIAL_ENV);
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  cognito = await startCognitoLocal();
  handler = createAuthHandler({ config: parseAuthConfig(envFor(cognito)), logger: jsonLineLogger((line) => logs.push(line)) });
});

afterAll(async () => {
  await cognito?.stop();
  process.env = savedEnv;
});

/** A recorded event for `fixture` with `body` (and, for refresh/logout, `cookie`). */
function request(fixture: Parameters<typeof loadEvent>[0], body?: unknown, cookie?: string): APIGatewayProxyEvent {
  let event = loadEvent(fixture);
  if (body !== undefined) event = withBody(event, body);
  if (cookie !== undefined) event = withHeader(event, 'Cookie', cookie);
  return event;
}

function cookiePair(result: APIGatewayProxyResult): string {
  const [cookie] = setCookies(result);
  const pair = cookie?.split(';')[0];
  if (pair === undefined) throw new Error('no Set-Cookie');
  return pair;
}

function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Another-Horse-7-Battery';

describe('against cognito-local', () => {
  const email = 'ann@example.com';
  let refreshPair: string;

  it('register → 201 CONFIRMATION_REQUIRED, and the code is delivered', async () => {
    const result = await handler(request('auth-register', { email: 'Ann@Example.com', password: PASSWORD }));
    expect(result.statusCode).toBe(201);
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMATION_REQUIRED', destination: 'a***@e***' });
    expect(await cognito.waitForCode(email, { kind: 'confirm' })).toMatch(/^[0-9]{6}$/);
  });

  it('login before confirming → 403 USER_NOT_CONFIRMED', async () => {
    const result = await handler(request('auth-login', { email, password: PASSWORD }));
    expect(result.statusCode).toBe(403);
    expect(errorBody(result).error.code).toBe('USER_NOT_CONFIRMED');
  });

  it('confirm with a wrong code → 400 CODE_MISMATCH', async () => {
    const code = await cognito.waitForCode(email, { kind: 'confirm' });
    const result = await handler(request('auth-confirm', { email, code: wrongCode(code) }));
    expect(result.statusCode).toBe(400);
    expect(errorBody(result).error.code).toBe('CODE_MISMATCH');
  });

  it('confirm → 200 CONFIRMED', async () => {
    const code = await cognito.waitForCode(email, { kind: 'confirm' });
    const result = await handler(request('auth-confirm', { email, code }));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMED' });
  });

  it('register the same email again → 409 USER_EXISTS', async () => {
    const result = await handler(request('auth-register', { email, password: PASSWORD }));
    expect(result.statusCode).toBe(409);
    expect(errorBody(result).error.code).toBe('USER_EXISTS');
  });

  it('login → 200 with tokens in the body and the refresh token only in the cookie', async () => {
    const result = await handler(request('auth-login', { email, password: PASSWORD }));
    expect(result.statusCode).toBe(200);
    const body = jsonBody(result);
    expect(body).toEqual({ accessToken: expect.any(String), idToken: expect.any(String), expiresIn: 3600, tokenType: 'Bearer' });
    const [cookie] = setCookies(result);
    expect(cookie).toMatch(/^__Secure-edge_upload_refresh=eyJ[^;]+; Max-Age=2592000; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
    refreshPair = cookiePair(result);
    expect(result.body).not.toContain(refreshPair.split('=')[1]);
    const claims: unknown = JSON.parse(Buffer.from(String(body.accessToken).split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ token_use: 'access', client_id: cognito.clientId, iss: `${cognito.endpoint}/${cognito.userPoolId}` });
  });

  it('refresh with the cookie → 200 with new tokens', async () => {
    const result = await handler(request('auth-refresh', undefined, refreshPair));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    expect(setCookies(result)).toEqual([]);
  });

  it('logout → 204, the cookie cleared and the refresh token revoked', async () => {
    const result = await handler(request('auth-logout', undefined, refreshPair));
    expect(result.statusCode).toBe(204);
    expect(setCookies(result)[0]).toMatch(/^__Secure-edge_upload_refresh=; Max-Age=0;/);
  });

  it('refresh with the revoked token → 401 INVALID_REFRESH', async () => {
    const result = await handler(request('auth-refresh', undefined, refreshPair));
    expect(result.statusCode).toBe(401);
    expect(errorBody(result).error.code).toBe('INVALID_REFRESH');
  });

  it('logout again with the revoked token → 204 (nothing left to revoke)', async () => {
    const result = await handler(request('auth-logout', undefined, refreshPair));
    expect(result.statusCode).toBe(204);
  });

  it('wrong password and unknown user → the same 401 INVALID_CREDENTIALS', async () => {
    const wrong = await handler(request('auth-login', { email, password: 'Wrong-Horse-9-Battery' }));
    const unknown = await handler(request('auth-login', { email: 'nobody@example.com', password: PASSWORD }));
    expect(wrong.statusCode).toBe(401);
    expect(errorBody(wrong).error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
  });

  it('a weak password → 400 INVALID_PASSWORD from the handler (cognito-local itself would accept it)', async () => {
    const result = await handler(request('auth-register', { email: 'weak@example.com', password: 'password' }));
    expect(result.statusCode).toBe(400);
    expect(errorBody(result).error).toMatchObject({ code: 'INVALID_PASSWORD', message: expect.stringContaining('at least 12 characters') });
    const login = await handler(request('auth-login', { email: 'weak@example.com', password: 'password' }));
    expect(errorBody(login).error.code).toBe('INVALID_CREDENTIALS'); // no account was created
  });

  it('forgot → 200 SENT, reset with a wrong code → 400 CODE_MISMATCH, reset → 200, the new password works', async () => {
    const forgot = await handler(request('auth-forgot', { email }));
    expect(forgot.statusCode).toBe(200);
    expect(jsonBody(forgot)).toEqual({ status: 'SENT' });
    const code = await cognito.waitForCode(email, { kind: 'reset' });

    const wrong = await handler(request('auth-reset', { email, code: wrongCode(code), newPassword: NEW_PASSWORD }));
    expect(wrong.statusCode).toBe(400);
    expect(errorBody(wrong).error.code).toBe('CODE_MISMATCH');

    const weak = await handler(request('auth-reset', { email, code, newPassword: 'weakpassword' }));
    expect(errorBody(weak).error.code).toBe('INVALID_PASSWORD');

    const reset = await handler(request('auth-reset', { email, code, newPassword: NEW_PASSWORD }));
    expect(reset.statusCode).toBe(200);
    expect(jsonBody(reset)).toEqual({ status: 'PASSWORD_RESET' });

    expect((await handler(request('auth-login', { email, password: PASSWORD }))).statusCode).toBe(401);
    expect((await handler(request('auth-login', { email, password: NEW_PASSWORD }))).statusCode).toBe(200);
  });

  it('forgot for an unknown email → the same 200 SENT', async () => {
    const known = await handler(request('auth-forgot', { email }));
    const unknown = await handler(request('auth-forgot', { email: 'nobody@example.com' }));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toBe(known.body);
  });

  it('reset for an unknown email → 400 CODE_MISMATCH (no enumeration)', async () => {
    const result = await handler(request('auth-reset', { email: 'nobody@example.com', code: '123456', newPassword: NEW_PASSWORD }));
    expect(result.statusCode).toBe(400);
    expect(errorBody(result).error.code).toBe('CODE_MISMATCH');
  });

  it('resend → 503 AUTH_UNAVAILABLE: cognito-local does not implement ResendConfirmationCode, and we do not fake it', async () => {
    const result = await handler(request('auth-resend', { email }));
    expect(result.statusCode).toBe(503);
    expect(errorBody(result).error.code).toBe('AUTH_UNAVAILABLE');
  });

  it('never logged a secret', () => {
    const all = logs.join('\n');
    expect(logs.length).toBeGreaterThan(15);
    for (const secret of [email, 'Ann@Example.com', PASSWORD, NEW_PASSWORD, refreshPair.split('=')[1] ?? 'unset']) {
      expect(all).not.toContain(secret);
    }
    for (const delivery of cognito.readCodes(email)) expect(all).not.toContain(`"${delivery.code}"`);
  });
});

describe('what cognito-local itself does (the README relies on this)', () => {
  let client: CognitoIdentityProviderClient;
  beforeAll(() => {
    client = new CognitoIdentityProviderClient({
      region: cognito.region,
      endpoint: cognito.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(() => client.destroy());

  it('answers ResendConfirmationCode and GlobalSignOut with HTTP 500 "Unsupported"', async () => {
    for (const command of [
      new ResendConfirmationCodeCommand({ ClientId: cognito.clientId, Username: 'ann@example.com' }),
      new GlobalSignOutCommand({ AccessToken: 'x' }),
    ]) {
      await expect(client.send(command as ResendConfirmationCodeCommand)).rejects.toMatchObject({
        name: 'Unsupported',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
    }
  });

  it('does not enforce the pool password policy', async () => {
    const output = await client.send(
      new SignUpCommand({
        ClientId: cognito.clientId,
        Username: 'lax@example.com',
        Password: 'x',
        UserAttributes: [{ Name: 'email', Value: 'lax@example.com' }],
      }),
    );
    expect(output.UserConfirmed).toBe(false);
  });
});

describe('the built bundle (dist/origin/auth/index.js)', () => {
  it('runs on its own in a fresh node process: against cognito-local, with Cognito down, with a bad environment', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'origin-bundle-'));
    try {
      const outfile = path.join(work, 'index.js');
      // The build script is an ES module; run it the way `npm run build` does, into a temp file.
      const buildScript = path.join(__dirname, '..', '..', '..', 'scripts', 'build', 'origin.mjs');
      const built = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { build } = await import(${JSON.stringify(pathToFileURL(buildScript).href)}); await build({ outfile: ${JSON.stringify(outfile)} });`,
        ],
        { cwd: path.join(__dirname, '..', '..', '..'), encoding: 'utf8', timeout: 60_000 },
      );
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      const eventFile = path.join(work, 'event.json');
      writeFileSync(eventFile, JSON.stringify(request('auth-login', { email: 'ann@example.com', password: NEW_PASSWORD })));
      const invoke = (env: Record<string, string>) => {
        const script = `
          const { handler } = require(${JSON.stringify(outfile)});
          const event = require(${JSON.stringify(eventFile)});
          handler(event).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(2); });`;
        const run = spawnSync(process.execPath, ['-e', script], {
          env: { PATH: process.env.PATH ?? '', ...CREDENTIAL_ENV, ...env },
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(run.status).toBe(0);
        const [logLine, result] = run.stdout.trim().split('\n');
        return { log: JSON.parse(logLine ?? '') as unknown, result: JSON.parse(result ?? '') as unknown };
      };

      const ok = invoke(envFor(cognito));
      expect(ok.result).toMatchObject({
        statusCode: 200,
        multiValueHeaders: { 'Set-Cookie': [expect.stringMatching(/^__Secure-edge_upload_refresh=eyJ/)] },
      });
      expect(ok.log).toMatchObject({ msg: 'auth request', route: '/auth/login', status: 200, outcome: 'LOGGED_IN' });

      // Cognito unreachable (a closed port): a quick, honest 503. Checked here, in a plain Node process,
      // because inside Jest's sandbox the SDK cannot recognise Node's network errors (different realm).
      const started = Date.now();
      const down = invoke({ ...envFor(cognito), COGNITO_ENDPOINT: 'http://127.0.0.1:9' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(down.result).toMatchObject({ statusCode: 503, body: expect.stringContaining('"AUTH_UNAVAILABLE"') });
      expect(down.log).toMatchObject({ status: 503, outcome: 'AUTH_UNAVAILABLE', detail: 'ECONNREFUSED' });

      const broken = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(outfile)})`], {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toContain('Invalid auth API configuration: USER_POOL_ID is required');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
