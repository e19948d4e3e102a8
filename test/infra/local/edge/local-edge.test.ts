/**
 * What the local edge answers by itself takes its code, status and message
 * from the one table of the HTTP error contract
 * (edge-functions/contract/http-errors.ts): before the stack is ready it is
 * 503 INTERNAL with the one generic message, as CloudFront answers an origin
 * it cannot reach; `/_local/metrics` on an edge without metrics is 404
 * NOT_FOUND, the edge's own answer like a missing site file; a failed
 * function is 502/503 INTERNAL. Real local edges on free ports with stand-in
 * parts.
 */

import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent, CloudFrontRequestEvent } from 'aws-lambda';
import {
  INTERNAL,
  INTERNAL_BAD_GATEWAY,
  INTERNAL_MESSAGE,
  INTERNAL_UNAVAILABLE,
  NOT_FOUND,
} from '../../../../edge-functions/contract/http-errors';
import { createFirewall } from '../../../../infra/firewall/engine';
import { CloudFrontFunctionRuntimeError } from '../../../../infra/local/edge/cloudfront-function-errors';
import { type LocalEdge, type LocalEdgeParts, listenLocalEdge } from '../../../../infra/local/edge/local-edge';
import type { MetricsSnapshot } from '../../../../infra/local/metrics-collector';

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly xCache: string;
}

function send(edge: LocalEdge, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: edge.port, method, path, headers: { 'content-length': '0' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), xCache: String(res.headers['x-cache'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Parts whose functions let everything through to origins that answer 200. */
function parts(overrides: Partial<LocalEdgeParts> = {}): LocalEdgeParts {
  return {
    firewall: createFirewall({ version: 1, source: 'none', rules: [], cloudFrontGeoRestriction: [] }),
    siteRouter: { run: (event) => ({ kind: 'request', request: event.request, returnedEventRequest: true, logs: [] }) },
    authGuard: { run: (event) => ({ kind: 'request', request: event.request, returnedEventRequest: true, logs: [] }) },
    presign: {
      name: 'presign-stand-in',
      async invoke(_event: CloudFrontRequestEvent) {
        return { status: '200', body: '{}' };
      },
    },
    authApi: async (_event: APIGatewayProxyEvent) => ({ statusCode: 200, body: '{}' }),
    site: { serve: () => ({ status: 200, headers: [], body: Buffer.from('{}') }) },
    mailbox: { messagesFor: () => [] },
    securityHeaders: {},
    log: () => undefined,
    ...overrides,
  };
}

const GENERIC = { error: { code: INTERNAL.code, message: INTERNAL_MESSAGE } };

describe('before the stack is ready', () => {
  let edge: LocalEdge;

  beforeEach(async () => {
    edge = await listenLocalEdge({ port: 0 });
  });

  afterEach(async () => {
    await edge.close();
  });

  it.each([
    ['GET', '/'],
    ['POST', '/presign'],
    ['POST', '/auth/login'],
  ])('%s %s is 503 INTERNAL with the one generic message', async (method, path) => {
    const answer = await send(edge, method, path);
    expect(answer.status).toBe(INTERNAL_UNAVAILABLE.status);
    expect(answer.body).toEqual(GENERIC);
  });

  it('answers from its parts once it has them', async () => {
    edge.attach(parts());
    expect((await send(edge, 'POST', '/presign')).status).toBe(200);
  });
});

describe('answers of its own once ready', () => {
  let edge: LocalEdge | undefined;

  afterEach(async () => {
    await edge?.close();
    edge = undefined;
  });

  async function readyEdge(overrides: Partial<LocalEdgeParts> = {}): Promise<LocalEdge> {
    edge = await listenLocalEdge({ port: 0 });
    edge.attach(parts(overrides));
    return edge;
  }

  it('/_local/metrics without metrics is the table’s 404 NOT_FOUND, answered by the edge itself', async () => {
    const answer = await send(await readyEdge(), 'GET', '/_local/metrics');
    expect(answer.status).toBe(NOT_FOUND.status);
    expect(answer.body).toEqual({ error: { code: NOT_FOUND.code, message: 'This edge collects no metrics.' } });
    expect(answer.xCache).toBe('Error from cloudfront');
  });

  it('/_local/metrics with metrics is their snapshot', async () => {
    const snapshot: MetricsSnapshot = {
      namespace: 'EdgeUpload',
      routes: {},
      uploads: { verified: 0, quarantined: 0 },
      firewall: { requests: 0, allowed: 0, blocked: 0, rules: {} },
      droppedLines: 0,
    };
    const answer = await send(await readyEdge({ metrics: { snapshot: () => snapshot } }), 'GET', '/_local/metrics');
    expect(answer).toEqual({ status: 200, body: snapshot, xCache: 'Miss from cloudfront' });
  });

  it('a CloudFront Function that throws is 503 INTERNAL with the generic message, not its own words', async () => {
    const siteRouter = {
      run: () => {
        throw new CloudFrontFunctionRuntimeError('secret detail', []);
      },
    };
    const answer = await send(await readyEdge({ siteRouter }), 'GET', '/');
    expect(answer.status).toBe(INTERNAL_UNAVAILABLE.status);
    expect(answer.body).toEqual(GENERIC);
  });

  it('a presign function that lets the request through (no origin) is 502 INTERNAL with the generic message', async () => {
    const presign = {
      name: 'presign-stand-in',
      async invoke(event: CloudFrontRequestEvent) {
        return event.Records[0]!.cf.request;
      },
    };
    const answer = await send(await readyEdge({ presign }), 'POST', '/presign');
    expect(answer.status).toBe(INTERNAL_BAD_GATEWAY.status);
    expect(answer.body).toEqual(GENERIC);
  });
});
