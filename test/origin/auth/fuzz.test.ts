/**
 * Any request ⇒ a well-formed response: the handler never throws, always
 * answers no-store, and every error has exactly the DESIGN §3 shape.
 */
import {
  AdminInitiateAuthCommand,
  InternalErrorException,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { AUTH_ROUTES } from '../../../edge-functions/core/auth-routes';
import { FIXTURE, loadEvent, setCookies } from '../support/events';
import { errorBody, fakeJwt, useHarness } from '../support/harness';

const h = useHarness();
const KNOWN_STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503]);
const ACCESS = fakeJwt({ iat: 0, exp: 3600 }, 'a');

beforeEach(() => {
  h.cognito.onAnyCommand().resolves({});
  h.cognito.on(AdminInitiateAuthCommand).resolves({
    AuthenticationResult: { AccessToken: ACCESS, IdToken: ACCESS, RefreshToken: 'eyJx.refresh', ExpiresIn: 3600 },
  });
  h.cognito.on(SignUpCommand).rejects(new InternalErrorException({ message: 'down', $metadata: { httpStatusCode: 500 } }));
});

const paths = fc.oneof(fc.constantFrom(...Object.keys(AUTH_ROUTES)), fc.string({ maxLength: 40 }).map((s) => `/auth/${s}`), fc.string());
const methods = fc.oneof(fc.constantFrom('POST', 'GET', 'OPTIONS', 'PUT', 'post'), fc.string({ maxLength: 10 }));
const jsonValues = fc.oneof(
  fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), password: fc.string({ maxLength: 300 }) }),
  fc.record({ email: fc.emailAddress(), code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.string()) }),
  fc.record({ email: fc.emailAddress(), code: fc.string(), newPassword: fc.string() }),
  fc.jsonValue(),
);
const bodies = fc.oneof(
  fc.constant(null),
  jsonValues.map((value) => JSON.stringify(value) ?? 'null'),
  fc.string({ maxLength: 5000 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const headerPairs = fc.dictionary(
  fc.oneof(fc.constantFrom('Origin', 'Content-Type', 'Cookie', 'Sec-Fetch-Site', 'content-type', 'ORIGIN'), fc.string({ minLength: 1, maxLength: 20 })),
  fc.oneof(
    fc.constantFrom(FIXTURE.siteOrigin, 'application/json', `${FIXTURE.refreshCookieName}=eyJhbGciOi.x.y`, 'same-origin', 'cross-site'),
    fc.string({ maxLength: 200 }),
  ),
  { maxKeys: 6 },
);

function eventFrom(path: string, method: string, body: string | null, base64: boolean, headers: Record<string, string>): APIGatewayProxyEvent {
  const base = loadEvent('auth-login');
  return {
    ...base,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: body === null ? null : base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: base64,
  };
}

describe('any request', () => {
  it('gets a well-formed response', async () => {
    await fc.assert(
      fc.asyncProperty(paths, methods, bodies, fc.boolean(), headerPairs, async (path, method, body, base64, headers) => {
        const result = await h.invoke(eventFrom(path, method, body, base64, headers));
        expect(KNOWN_STATUSES.has(result.statusCode)).toBe(true);
        expect(result.headers?.['Cache-Control']).toBe('no-store');
        if (result.statusCode === 204) {
          expect(result.body).toBe('');
        } else {
          expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
          if (result.statusCode >= 400) errorBody(result);
          else expect(() => JSON.parse(result.body)).not.toThrow();
        }
        for (const cookie of setCookies(result)) {
          expect(cookie).toMatch(/; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never throws, even for an event with missing or null fields', async () => {
    const base = loadEvent('auth-login');
    // Deliberately ill-typed (through JSON): what a broken integration or a console test invoke can send.
    const broken: APIGatewayProxyEvent[] = [
      { ...base, headers: {}, multiValueHeaders: {} },
      JSON.parse(JSON.stringify({ ...base, headers: null, multiValueHeaders: null, body: null })),
      JSON.parse(JSON.stringify({ ...base, path: null, httpMethod: null, requestContext: null })),
    ];
    for (const event of broken) {
      const result = await h.invoke(event);
      expect(KNOWN_STATUSES.has(result.statusCode)).toBe(true);
    }
  });
});
