/**
 * The local edge routes by the distribution's own behaviour table
 * (infra/shared/cloudfront-behaviours.ts), with only its `/_local/*` paths
 * added; a changed copy of the table changes its routing with it
 * (test/infra/aws/behaviour-table.test.ts proves the same of the CDK
 * distribution). And a page opened at `localhost:<port>` gets a
 * FORBIDDEN_ORIGIN that says which URL to open. Real local edges on free
 * ports, with stand-in functions and origins that record who answered.
 */
import type { APIGatewayProxyEvent, CloudFrontRequestEvent } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { createFirewall } from '../../../../infra/firewall/engine';
import type { CloudFrontFunction, CloudFrontFunctionViewerRequestEvent } from '../../../../infra/local/edge/cloudfront-function-shapes';
import { BEHAVIOURS, LOCAL_ONLY_BEHAVIOURS, behaviourFor, localBehaviours } from '../../../../infra/local/edge/behaviours';
import { listenLocalEdge, type LocalEdge, type LocalEdgeParts } from '../../../../infra/local/edge/local-edge';
import { CLOUDFRONT_BEHAVIOURS, matchesPathPattern, type CloudFrontBehaviour } from '../../../../infra/shared/cloudfront-behaviours';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly xCache: string;
}

function send(edge: LocalEdge, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: edge.port, method, path, headers: { 'content-length': '0', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, xCache: String(res.headers['x-cache'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Parts that say who answered: each function lets the request through to its origin, which names itself. */
function recordingParts(overrides: Partial<LocalEdgeParts> = {}): LocalEdgeParts {
  const passThrough: CloudFrontFunction = {
    run: (event: CloudFrontFunctionViewerRequestEvent) => ({
      kind: 'request',
      request: event.request,
      returnedEventRequest: true,
      logs: [],
    }),
  };
  return {
    firewall: createFirewall({ version: 1, source: 'none', rules: [], cloudFrontGeoRestriction: [] }),
    siteRouter: {
      run: () => ({ kind: 'response', response: { statusCode: 200, body: 'site-router' }, logs: [] }),
    },
    authGuard: passThrough,
    presign: {
      name: 'presign-stand-in',
      async invoke(_event: CloudFrontRequestEvent) {
        return { status: '200', body: 'presign' };
      },
    },
    authApi: async (_event: APIGatewayProxyEvent) => ({ statusCode: 200, body: 'auth-api' }),
    site: { serve: () => ({ status: 200, headers: [], body: Buffer.from('site') }) },
    mailbox: { messagesFor: () => [] },
    securityHeaders: {},
    log: () => undefined,
    ...overrides,
  };
}

describe('the local table', () => {
  it('is the deployed table with the local /_local/* paths before its default, and nothing else', () => {
    const deployed = CLOUDFRONT_BEHAVIOURS;
    expect(BEHAVIOURS).toEqual([...deployed.slice(0, -1), ...LOCAL_ONLY_BEHAVIOURS, deployed[deployed.length - 1]]);
    for (const local of LOCAL_ONLY_BEHAVIOURS) expect(local.pathPattern.startsWith('/_local/')).toBe(true);
  });

  it.each([
    ['/presign', 'presign'],
    ['/presign/multipart', 'presign'],
    ['/presign/multipart/parts', 'presign'],
    ['/presign/files/access', 'presign'],
    ['/presignX', 'presign'],
    ['/auth/login', 'auth'],
    ['/_local/mailbox', 'mailbox'],
    ['/_local/other', 'default'],
    ['/app/upload', 'default'],
  ])('%s → %s', (path, name) => {
    expect(behaviourFor(path).name).toBe(name);
  });

  it('matches CloudFront path patterns: * any run, ? one character, the rest literally and case-sensitively', () => {
    expect(matchesPathPattern('/presign*', '/presign')).toBe(true);
    expect(matchesPathPattern('/presign*', '/Presign')).toBe(false);
    expect(matchesPathPattern('/a/*.jpg', '/a/b/c.jpg')).toBe(true);
    expect(matchesPathPattern('/a/*.jpg', '/a/b/c.png')).toBe(false);
    expect(matchesPathPattern('/v?/x', '/v1/x')).toBe(true);
    expect(matchesPathPattern('/v?/x', '/v10/x')).toBe(false);
    expect(matchesPathPattern('*', '')).toBe(true);
    expect(matchesPathPattern('/auth/*', '/auth')).toBe(false);
  });

  it('refuses a table without the default last', () => {
    expect(() => localBehaviours(CLOUDFRONT_BEHAVIOURS.slice(0, -1))).toThrow(/ends with the default behaviour/);
  });
});

describe('the local edge routes by the table it is given', () => {
  const [presign, auth, fallback] = CLOUDFRONT_BEHAVIOURS as [CloudFrontBehaviour, CloudFrontBehaviour, CloudFrontBehaviour];
  /** The deployed table with its patterns moved: /api/sign* runs presign, /api/auth/* the auth guard and API. */
  const copy: CloudFrontBehaviour[] = [{ ...auth, pathPattern: '/api/auth/*' }, { ...presign, pathPattern: '/api/sign*' }, fallback];
  let shipped: LocalEdge;
  let moved: LocalEdge;

  beforeAll(async () => {
    shipped = await listenLocalEdge({ port: 0 });
    shipped.attach(recordingParts());
    moved = await listenLocalEdge({ port: 0, behaviours: copy });
    moved.attach(recordingParts());
  });

  afterAll(async () => {
    await Promise.all([shipped.close(), moved.close()]);
  });

  it.each([
    ['/presign', 200, 'presign'],
    ['/presign/multipart/parts', 200, 'presign'],
    ['/auth/login', 200, 'auth-api'],
    ['/api/sign', 405, ''],
  ])('with the shipped table, POST %s → %d %s', async (path, status, body) => {
    const answer = await send(shipped, 'POST', path);
    expect(answer.status).toBe(status);
    if (body !== '') expect(answer.body).toBe(body);
  });

  it.each([
    ['/api/sign', 200, 'presign'],
    ['/api/sign/multipart', 200, 'presign'],
    ['/api/auth/login', 200, 'auth-api'],
    // The old patterns are the default behaviour now, which allows GET and HEAD only.
    ['/presign', 405, ''],
    ['/auth/login', 405, ''],
  ])('with a moved copy, POST %s → %d %s', async (path, status, body) => {
    const answer = await send(moved, 'POST', path);
    expect(answer.status).toBe(status);
    if (body !== '') expect(answer.body).toBe(body);
  });

  it('keeps its own /_local/* paths on top of any table', async () => {
    expect((await send(moved, 'GET', '/_local/mailbox?email=a@example.com')).body).toBe('{"messages":[]}');
  });
});

describe('a page opened at localhost', () => {
  const FORBIDDEN = { error: { code: 'FORBIDDEN_ORIGIN', message: 'Cross-site requests are not allowed.' } };
  let edge: LocalEdge;

  beforeAll(async () => {
    edge = await listenLocalEdge({ port: 0 });
    // The auth API as the real one answers a cross-site Origin; a stand-in for /auth/other answers another 403.
    edge.attach(
      recordingParts({
        authApi: async (event: APIGatewayProxyEvent) =>
          event.path === '/auth/login'
            ? { statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(FORBIDDEN) }
            : {
                statusCode: 403,
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ error: { code: 'USER_NOT_CONFIRMED', message: 'Confirm first.' } }),
              },
      }),
    );
  });

  afterAll(async () => {
    await edge.close();
  });

  it('gets the same 403 FORBIDDEN_ORIGIN, whose message says to open the printed 127.0.0.1 URL', async () => {
    const answer = await send(edge, 'POST', '/auth/login', { Host: `localhost:${edge.port}`, Origin: `http://localhost:${edge.port}` });
    expect(answer.status).toBe(403);
    expect(answer.xCache).toBe('Miss from cloudfront');
    const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('FORBIDDEN_ORIGIN');
    expect(body.error.message).toContain('Cross-site requests are not allowed.');
    expect(body.error.message).toContain(`Open http://127.0.0.1:${edge.port} instead`);
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  });

  it('says nothing more at the printed address, and leaves other answers alone', async () => {
    const atPrinted = await send(edge, 'POST', '/auth/login', { Origin: 'https://evil.example' });
    expect(JSON.parse(atPrinted.body)).toEqual(FORBIDDEN);
    const other = await send(edge, 'POST', '/auth/confirm', { Host: `localhost:${edge.port}` });
    expect(JSON.parse(other.body)).toEqual({ error: { code: 'USER_NOT_CONFIRMED', message: 'Confirm first.' } });
  });

  it('does not echo the Host it was sent', async () => {
    const answer = await send(edge, 'POST', '/auth/login', { Host: 'attacker-<b>.example' });
    expect(answer.body).not.toContain('attacker');
    expect(answer.body).toContain(`Open http://127.0.0.1:${edge.port} instead`);
  });
});
