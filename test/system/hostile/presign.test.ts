/**
 * Hostile input to `POST /presign`, through the local edge with the shipped
 * firewall rules: bodies (malformed, oversized, wrong types, sizes, counts,
 * ids), file names (Unicode tricks, control characters, traversal, double
 * extensions), tokens (alg none, HS256 key confusion, expired, foreign
 * issuer, other client, id tokens, forged signatures), headers and methods.
 *
 * A refusal gets its docs/http-api.md status and code, never a 5xx, never a policy.
 * A name that docs/http-api.md says is "made safe" gets a form whose key is safe,
 * under the caller's own prefix, and the guard stores it at exactly that key.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHmac, randomUUID } from 'node:crypto';
import type { HttpAnswer } from '../../support/post-forms';
import {
  headObject,
  json,
  PASSWORD,
  pngBytes,
  s3Client,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  type PresignedUpload,
  type Session,
  type TestStack,
} from '../local-stack/support/stack-harness';
import { newSigningKey } from '../../support/tokens';
import {
  cognitoLocalSigner,
  expectRefused,
  hostileRequest,
  jwtParts,
  OMIT,
  resigned,
  signRs,
  type Headers,
  type PoolSigner,
  type RefusalExpectation,
} from './support/hostile-harness';
import { findSecrets, sessionSecrets } from './support/log-scan';

jest.setTimeout(60_000);

let harness: TestStack;
let session: Session;
let signer: PoolSigner;

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, 'hostile-presign@example.com');
  signer = cognitoLocalSigner();
});

afterAll(async () => {
  await harness?.stop();
});

const png = { name: 'holiday.png', size: 1000, type: 'image/png' };
const MiB = 1024 * 1024;

function secrets(): string[] {
  return [session.accessToken, session.idToken, session.refreshCookie.split('=')[1] ?? '', jwtParts(session.accessToken).signature];
}

/** `token: null` sends no Authorization header (unless `headers` has one). */
function presignWith(body: unknown, headers: Headers = {}, token: string | null = session.accessToken): Promise<HttpAnswer> {
  return hostileRequest(harness.stack, {
    path: '/presign',
    body,
    // A bearer token is not an ambient credential: /presign is not same-origin-checked, so play a script, not a page.
    sameOrigin: false,
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers },
  });
}

const INVALID: RefusalExpectation = { status: 400, code: 'INVALID_REQUEST' };
const invalidFile = (file: number): RefusalExpectation => ({ status: 400, code: 'INVALID_REQUEST', file });
const unsupported = (file = 0): RefusalExpectation => ({ status: 415, code: 'UNSUPPORTED_TYPE', file });
const badName = (file = 0): RefusalExpectation => ({ status: 400, code: 'INVALID_FILENAME', file });
const tooLarge = (file = 0): RefusalExpectation => ({ status: 413, code: 'FILE_TOO_LARGE', file });
const empty = (file = 0): RefusalExpectation => ({ status: 400, code: 'EMPTY_FILE', file });
const UNAUTHORIZED: RefusalExpectation = { status: 401, code: 'UNAUTHORIZED' };
/** The firewall's body-size rule (8 KiB on /presign, docs/firewall.md) answers before the function. */
const BLOCKED: RefusalExpectation = { status: 403, code: 'REQUEST_BLOCKED' };

const files = (...list: unknown[]) => ({ files: list });
const deepArray = (depth: number) => `{"files":${'['.repeat(depth)}${']'.repeat(depth)}}`;

// ---------------------------------------------------------------------------

describe('malformed and oversized JSON', () => {
  it.each<[string, string | Buffer, RefusalExpectation]>([
    ['a cut-off object', '{"files": [', INVALID],
    ['an empty body', '', INVALID],
    ['a lone null', 'null', INVALID],
    ['a top-level array', '[{"name":"a.png","size":1,"type":"image/png"}]', INVALID],
    ['a top-level string', '"files"', INVALID],
    ['a top-level number', '42', INVALID],
    ['single-quoted JSON', "{'files':[{'name':'a.png','size':1,'type':'image/png'}]}", INVALID],
    ['a trailing comma', '{"files":[{"name":"a.png","size":1,"type":"image/png"},]}', INVALID],
    ['JSON with comments', '{"files":[] /* hi */}', INVALID],
    ['two JSON documents', '{"files":[]}{"files":[]}', INVALID],
    ['NaN for a size', '{"files":[{"name":"a.png","size":NaN,"type":"image/png"}]}', INVALID],
    ['arrays nested 4,000 deep', deepArray(4000), INVALID],
    ['objects nested 1,000 deep', `{"files":[${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}]}`, invalidFile(0)],
    ['UTF-16 text', Buffer.from('{"files":[]}', 'utf16le'), INVALID],
    ['a __proto__ files key (dropped when parsed)', '{"__proto__":{"files":[{"name":"a.png","size":1,"type":"image/png"}]}}', INVALID],
    ['constructor.prototype pollution', '{"constructor":{"prototype":{"files":[]}},"files":"x"}', INVALID],
    ['a body just over the 8 KiB firewall limit', JSON.stringify(files({ ...png, name: `${'a'.repeat(8200)}.png` })), BLOCKED],
    ['a 1 MiB body', `{"files":[],"pad":"${'x'.repeat(MiB)}"}`, BLOCKED],
  ])('%s', async (_, body, expected) => {
    expectRefused(await presignWith(body), expected, secrets());
  });
});

describe('wrong types and shapes', () => {
  it.each<[string, unknown, RefusalExpectation]>([
    ['no files key', { file: [png] }, INVALID],
    ['files: {}', { files: {} }, INVALID],
    ['files: a string', { files: 'holiday.png' }, INVALID],
    ['files: null', { files: null }, INVALID],
    ['files: []', files(), INVALID],
    ['eleven files', files(...Array.from({ length: 11 }, (_, i) => ({ ...png, name: `f${i}.png` }))), INVALID],
    ['a hundred files', files(...Array.from({ length: 100 }, () => 1)), INVALID],
    ['a null file', files(null), invalidFile(0)],
    ['a number for a file', files(42), invalidFile(0)],
    ['an array for a file', files([png]), invalidFile(0)],
    ['no name', files({ size: 10, type: 'image/png' }), invalidFile(0)],
    ['a numeric name', files({ ...png, name: 123 }), invalidFile(0)],
    ['an empty name', files({ ...png, name: '' }), badName(0)],
    ['a name in an array', files({ ...png, name: ['a.png'] }), invalidFile(0)],
    ['no type', files({ name: 'a.png', size: 10 }), invalidFile(0)],
    ['a numeric type', files({ ...png, type: 5 }), invalidFile(0)],
    ['a size as a string', files({ ...png, size: '1000' }), invalidFile(0)],
    ['a null size', files({ ...png, size: null }), invalidFile(0)],
    ['a boolean size', files({ ...png, size: true }), invalidFile(0)],
    ['an id that is not a UUID', files({ ...png, id: 'not-a-uuid' }), invalidFile(0)],
    ['a UUID v1 id', files({ ...png, id: 'c232ab00-9414-11ec-b3c8-9f6bdeced846' }), invalidFile(0)],
    ['a numeric id', files({ ...png, id: 123 }), invalidFile(0)],
    ['an id with a trailing newline', files({ ...png, id: `${randomUUID()}\n` }), invalidFile(0)],
    ['an id that climbs (../)', files({ ...png, id: '../../../../etc/passwd' }), invalidFile(0)],
    [
      'the same id twice',
      (() => {
        const id = randomUUID();
        return files({ ...png, id }, { ...png, name: 'b.png', id });
      })(),
      invalidFile(1),
    ],
    ['a bad second file after a good one', files(png, { ...png, size: 'big' }), invalidFile(1)],
  ])('%s', async (_, body, expected) => {
    expectRefused(await presignWith(body), expected, secrets());
  });
});

describe('huge, negative and fractional sizes', () => {
  it.each<[string, string, RefusalExpectation]>([
    ['-1', '-1', invalidFile(0)],
    ['-0 (an empty file)', '-0', empty()],
    ['0', '0', empty()],
    ['1.5', '1.5', invalidFile(0)],
    ['1e-7', '1e-7', invalidFile(0)],
    ['1e400 (Infinity)', '1e400', invalidFile(0)],
    ['2^53 + 1 (not a safe integer)', '9007199254740993', invalidFile(0)],
    ['1e15', '1000000000000000', tooLarge()],
    ['10 MiB + 1 for a PNG', String(10 * MiB + 1), tooLarge()],
    ['a hex literal', '0x10', INVALID],
  ])('size %s → %o', async (_, size, expected) => {
    expectRefused(await presignWith(`{"files":[{"name":"holiday.png","type":"image/png","size":${size}}]}`), expected, secrets());
  });

  it('50 MiB + 1 for a PDF → 413 FILE_TOO_LARGE', async () => {
    expectRefused(await presignWith(files({ name: 'scan.pdf', size: 50 * MiB + 1, type: 'application/pdf' })), tooLarge(), secrets());
  });

  it('exactly at each limit is accepted (the boundary is where docs/http-api.md puts it)', async () => {
    const answer = await presignWith(
      files({ name: 'a.png', size: 10 * MiB, type: 'image/png' }, { name: 'b.pdf', size: 50 * MiB, type: 'application/pdf' }),
    );
    expect(answer.status).toBe(200);
  });
});

describe('types and double extensions', () => {
  it.each<[string, Record<string, unknown>, RefusalExpectation]>([
    ['photo.png.exe as image/png', { ...png, name: 'photo.png.exe' }, unsupported()],
    ['photo.jpg as image/png', { ...png, name: 'photo.jpg' }, unsupported()],
    ['photo.html as image/png', { ...png, name: 'photo.html' }, unsupported()],
    ['photo.svg as image/svg+xml', { ...png, name: 'photo.svg', type: 'image/svg+xml' }, unsupported()],
    ['page.html as text/html', { ...png, name: 'page.html', type: 'text/html' }, unsupported()],
    ['a type with parameters', { ...png, type: 'image/png; charset=binary' }, unsupported()],
    ['a type with a CRLF', { ...png, type: 'image/png\r\nX-Injected: 1' }, unsupported()],
    ['a wildcard type', { ...png, type: 'image/*' }, unsupported()],
    ['a name with no extension', { ...png, name: 'holiday' }, unsupported()],
    ['"../../etc/passwd" as image/png', { ...png, name: '../../etc/passwd' }, unsupported()],
    ['an RLO that shows "gnp" but ends in .exe', { ...png, name: 'invoice\u202Egnp.exe' }, unsupported()],
    ['a NUL before the real extension', { ...png, name: 'photo.png\u0000.exe' }, unsupported()],
  ])('%s → 415 UNSUPPORTED_TYPE', async (_, file, expected) => {
    expectRefused(await presignWith(files(file)), expected, secrets());
  });
});

describe('names with nothing usable left', () => {
  it.each<[string, string]>([
    ['only dots', '....'],
    ['only an extension', '.png'],
    ['dots before the extension', '....png'],
    ['control characters only', '\u0001\u0002\u0003.png'],
    ['zero-width and bidi characters only', '\u200B\u202E\u2066.png'],
    ['an emoji only', '😀.png'],
    ['slashes only', '///.png'],
    ['traversal only', '../../../.png'],
  ])('%s → 400 INVALID_FILENAME', async (_, name) => {
    expectRefused(await presignWith(files({ ...png, name })), badName(), secrets());
  });
});

describe('names made safe (docs/post-policy-and-keys.md "Object keys"): a form, but for a safe key under the caller\'s prefix', () => {
  const KEY = /^uploads\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([0-9a-f-]{36})\/([^/]+)$/;

  function expectSafeKey(upload: PresignedUpload, expectedName: string | RegExp): string {
    const match = KEY.exec(upload.key);
    expect(match).not.toBeNull();
    const [, sub, , , , id, name = ''] = match ?? [];
    expect(sub).toBe(session.sub);
    expect(id).toBe(upload.id);
    expect(upload.fields['x-amz-meta-userid']).toBe(session.sub);
    expect(name).not.toMatch(/\.\.|^[.]|[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\\/]/u);
    expect(name).toMatch(/^[\p{L}\p{M}\p{N}._-]+$/u);
    expect(name.normalize('NFC')).toBe(name);
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(128);
    if (typeof expectedName === 'string') expect(name).toBe(expectedName);
    else expect(name).toMatch(expectedName);
    return name;
  }

  it.each<[string, string, string | RegExp]>([
    ['a relative climb', '../../../x.png', 'x.png'],
    ['an absolute path', '/etc/cron.d/x.png', 'etc-cron.d-x.png'],
    ['Windows separators', '..\\..\\Windows\\x.png', 'Windows-x.png'],
    ['percent-encoded traversal', '%2e%2e%2f%2e%2e%2fx.png', '2e-2e-2f-2e-2e-2fx.png'],
    ['fullwidth solidus and dots', '．．／．．／x.png', 'x.png'],
    ['a NUL inside', 'a\u0000b.png', 'ab.png'],
    ['CR LF header injection', 'photo\r\nSet-Cookie: a=b.png', 'photoSet-Cookie-a-b.png'],
    ['a right-to-left override', 'photo\u202Eexe.png', 'photoexe.png'],
    ['zero-width characters', 'pho\u200Bto\u200D.png', 'photo.png'],
    ['a byte-order mark', '\uFEFFphoto.png', 'photo.png'],
    ['NFD (decomposed) accents', 'Cafe\u0301.png', 'Café.png'],
    ['an upper-case extension', 'SHOUT.PNG', 'SHOUT.png'],
    ['the real type last: photo.exe.png', 'photo.exe.png', 'photo.exe.png'],
    ['shell metacharacters', '$(rm -rf ~);`id`|x.png', 'rm-rf-id-x.png'],
    ['HTML in the name', '<script>alert(1)</script>.png', 'script-alert-1-script.png'],
    ['a Windows device name', 'CON.png', 'CON.png'],
    ['a 1,000-character name', `${'n'.repeat(1000)}.png`, /^n+\.png$/],
    ['1,000 three-byte characters', `${'写'.repeat(1000)}.png`, /^写+\.png$/],
  ])('%s', async (_, name, expectedName) => {
    const answer = await presignWith(files({ ...png, name }));
    expect(answer.status).toBe(200);
    const upload = json<{ uploads: PresignedUpload[] }>(answer).uploads[0];
    if (upload === undefined) throw new Error('no upload');
    expectSafeKey(upload, expectedName);
  });

  it('the guard stores a made-safe upload at exactly its key and nowhere else', async () => {
    const answer = await presignWith(files({ ...png, size: 100, name: '../../../\u202Eevil\r\n.png' }));
    const upload = json<{ uploads: PresignedUpload[] }>(answer).uploads[0];
    if (upload === undefined) throw new Error('no upload');
    expectSafeKey(upload, 'evil.png');
    const stored = await uploadFile(harness.stack, upload, pngBytes(100));
    expect(stored.status).toBe(201);
    const head = await headObject(harness.stack, upload.key);
    expect(head?.ContentLength).toBe(100);
    const client = s3Client(harness.stack);
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: harness.stack.bucket, Prefix: 'uploads/' }));
      expect((listed.Contents ?? []).map((object) => object.Key)).toEqual([upload.key]);
    } finally {
      client.destroy();
    }
  });
});

// ---------------------------------------------------------------------------

describe('tokens', () => {
  const body = files(png);
  const now = () => Math.floor(Date.now() / 1000);

  it('sanity: a token re-signed with the pool key and no change is accepted (so every refusal below is for its one change)', async () => {
    expect((await presignWith(body, {}, resigned(signer, session.accessToken))).status).toBe(200);
  });

  function expectUnauthorized(answer: HttpAnswer, sent: string | undefined): void {
    expectRefused(answer, UNAUTHORIZED, [...secrets(), ...(sent !== undefined && sent.length > 40 ? [sent] : [])]);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
  }

  it.each<[string, () => string | undefined]>([
    ['no Authorization', () => undefined],
    ['an empty Authorization', () => ''],
    ['"Bearer" and nothing', () => 'Bearer'],
    ['Basic credentials', () => 'Basic dXNlcjpwYXNz'],
    ['a token without a scheme', () => session.accessToken],
    ['a token under another scheme', () => `Token ${session.accessToken}`],
    ['a token plus junk', () => `Bearer ${session.accessToken} junk`],
    ['a token over 8 KiB', () => `Bearer ${session.accessToken}${'A'.repeat(9000)}`],
  ])('Authorization: %s → 401 UNAUTHORIZED with WWW-Authenticate: Bearer', async (_, authorization) => {
    const value = authorization();
    expectUnauthorized(await presignWith(body, { Authorization: value ?? OMIT }, null), value);
  });

  it.each<[string, () => string]>([
    ['garbage', () => 'not-a-jwt'],
    ['two dots only', () => '..'],
    ['a token with a space inside', () => `${session.accessToken.slice(0, 20)} ${session.accessToken.slice(20)}`],
    ['the id token', () => session.idToken],
    ['the refresh token', () => session.refreshCookie.split('=')[1] ?? ''],
    [
      'alg: none, no signature',
      () => {
        const [, claims] = session.accessToken.split('.');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${claims}.`;
      },
    ],
    [
      'alg: None, the real signature kept',
      () => {
        const [, claims, signature] = session.accessToken.split('.');
        return `${Buffer.from('{"alg":"None","kid":"CognitoLocal"}').toString('base64url')}.${claims}.${signature}`;
      },
    ],
    [
      "HS256 keyed with the pool's public key (key confusion)",
      () => {
        const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: signer.kid, typ: 'JWT' })).toString('base64url');
        const claims = session.accessToken.split('.')[1];
        const input = `${header}.${claims}`;
        return `${input}.${createHmac('sha256', signer.publicPem).update(input).digest('base64url')}`;
      },
    ],
    [
      'RS512 with the pool key',
      () => {
        const { header, claims } = jwtParts(session.accessToken);
        return signRs({ ...header, alg: 'RS512' }, claims, signer.privateKey, 'RSA-SHA512');
      },
    ],
    [
      "signed by another key under the pool's kid",
      () => {
        const { header, claims } = jwtParts(session.accessToken);
        return signRs(header, claims, newSigningKey('CognitoLocal').privateKey);
      },
    ],
    [
      'signed by another key with an embedded jwk header',
      () => {
        const attacker = newSigningKey('attacker');
        const { claims } = jwtParts(session.accessToken);
        return signRs({ alg: 'RS256', kid: 'attacker', jwk: attacker.jwk }, claims, attacker.privateKey);
      },
    ],
    [
      'a jku header pointing elsewhere',
      () => resigned(signer, session.accessToken, { header: { kid: 'elsewhere', jku: 'http://127.0.0.1:9/jwks.json' } }),
    ],
    [
      'a changed sub, old signature',
      () => {
        const [header, claims, signature] = session.accessToken.split('.');
        const changed = { ...JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8')), sub: 'someone-else' };
        return `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
      },
    ],
    ['expired a minute ago', () => resigned(signer, session.accessToken, { claims: { exp: now() - 60, iat: now() - 3660 } })],
    ['expired at the epoch', () => resigned(signer, session.accessToken, { claims: { exp: 1 } })],
    ['no exp at all', () => resigned(signer, session.accessToken, { drop: ['exp'] })],
    ['exp as a string', () => resigned(signer, session.accessToken, { claims: { exp: String(now() + 3600) } })],
    ['not valid until tomorrow (nbf)', () => resigned(signer, session.accessToken, { claims: { nbf: now() + 86_400 } })],
    [
      'a foreign issuer',
      () => resigned(signer, session.accessToken, { claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil0000' } }),
    ],
    [
      'the issuer with a trailing slash',
      () => resigned(signer, session.accessToken, { claims: { iss: `${harness.stack.cognito.issuer}/` } }),
    ],
    ['another app client', () => resigned(signer, session.accessToken, { claims: { client_id: 'someotherclient000000000' } })],
    ['token_use: id', () => resigned(signer, session.accessToken, { claims: { token_use: 'id' } })],
    ['no token_use', () => resigned(signer, session.accessToken, { drop: ['token_use'] })],
    ['an id token re-signed (aud, no client_id)', () => resigned(signer, session.idToken)],
    ['no sub', () => resigned(signer, session.accessToken, { drop: ['sub'] })],
  ])('Bearer %s → 401 UNAUTHORIZED with WWW-Authenticate: Bearer', async (_, forge) => {
    const token = forge();
    expectUnauthorized(await presignWith(body, {}, token), token);
  });

  it('a bad token is refused before the body is read: an anonymous caller learns nothing about the rules', async () => {
    const answer = await presignWith(files({ ...png, size: -1 }), {}, 'not-a-jwt');
    expectRefused(answer, UNAUTHORIZED, secrets());
  });
});

// ---------------------------------------------------------------------------

describe('headers and methods', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s → 405 METHOD_NOT_ALLOWED, Allow: POST', async (method) => {
    const answer = await hostileRequest(harness.stack, {
      method,
      path: '/presign',
      headers: { Authorization: `Bearer ${session.accessToken}` },
      sameOrigin: false,
    });
    expectRefused(answer, { status: 405, code: 'METHOD_NOT_ALLOWED' }, secrets());
  });

  it('HEAD → 405 with no body', async () => {
    const answer = await hostileRequest(harness.stack, {
      method: 'HEAD',
      path: '/presign',
      headers: { Authorization: `Bearer ${session.accessToken}` },
    });
    expect(answer.status).toBe(405);
    expect(answer.body).toBe('');
  });

  it.each<[string, Headers]>([
    ['no Content-Type', { 'Content-Type': OMIT }],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['multipart/form-data', { 'Content-Type': 'multipart/form-data; boundary=x' }],
    ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['application/jsonp', { 'Content-Type': 'application/jsonp' }],
    ['application/json-seq', { 'Content-Type': 'application/json-seq' }],
  ])('%s → 415 UNSUPPORTED_MEDIA_TYPE', async (_, headers) => {
    expectRefused(await presignWith(files(png), headers), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, secrets());
  });

  it('a viewer from a denied country → 403 REQUEST_BLOCKED (geo deny, before the function)', async () => {
    expectRefused(
      await presignWith(files(png), { 'CloudFront-Viewer-Country': 'KP' }),
      { status: 403, code: 'REQUEST_BLOCKED' },
      secrets(),
    );
  });

  it('a 12 KiB junk header beside no token → 401, and the junk is not echoed', async () => {
    const junk = 'J'.repeat(12 * 1024);
    const answer = await presignWith(files(png), { 'X-Junk': junk }, null);
    expectRefused(answer, UNAUTHORIZED, [...secrets(), junk.slice(0, 64)]);
  });

  it('200 headers beside a garbage token → 401', async () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`X-Many-${i}`, String(i)]));
    expectRefused(await presignWith(files(png), many, 'garbage'), UNAUTHORIZED, secrets());
  });

  it('a cross-origin page gets no CORS grant: the answer carries no Access-Control-Allow-Origin', async () => {
    const answer = await presignWith(files(png), { Origin: 'https://evil.example' }, null);
    expectRefused(answer, UNAUTHORIZED, secrets());
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const signed = await presignWith(files(png), { Origin: 'https://evil.example' });
    expect(signed.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a file name aimed at the headers never reaches them: the refusal has no injected header', async () => {
    const answer = await presignWith(files({ ...png, name: 'a\r\nSet-Cookie: pwned=1\r\nX-Injected: 1.exe' }));
    expectRefused(answer, unsupported(), secrets());
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['x-injected']).toBeUndefined();
  });
});

describe("the stack's own log", () => {
  it('holds none of the tokens this suite sent, nor anything shaped like a JWT', () => {
    const found = findSecrets(harness.logs.join('\n'), sessionSecrets(session, PASSWORD));
    expect(found).toEqual([]);
    expect(harness.logs.length).toBeGreaterThan(100);
  });
});
