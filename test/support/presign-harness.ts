/**
 * The presign handler wired the way index.ts wires it, but with a fixed
 * clock, fixed credentials, a real verifier over a test key, and a log that
 * the test can read; and the presign routes called directly, with the
 * dependencies a suite fixes per run.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import { type EdgeConfig, parseEdgeConfig, type SigningCredentials } from '../../edge-functions/core/edge-config';
import { newUploadId } from '../../edge-functions/core/object-key';
import { routePresignRequest } from '../../edge-functions/core/presign-routes';
import { createTokenVerifier } from '../../edge-functions/core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../../edge-functions/core/upload-rules';
import { createPresignHandler, type LogLine } from '../../edge-functions/presign/handler';
import { newSigningKey, testEdgeConfig, TEST_CREDENTIALS, type SigningKey } from './tokens';

export const FIXED_NOW = new Date('2026-11-29T12:00:00.000Z');

export interface HarnessOptions {
  readonly key?: SigningKey;
  readonly credentials?: () => SigningCredentials;
  readonly now?: () => Date;
  readonly config?: Record<string, unknown>;
}

export function presignHarness(options: HarnessOptions = {}) {
  const key = options.key ?? newSigningKey();
  const config = parseEdgeConfig(options.config ?? testEdgeConfig(key), DEFAULT_UPLOAD_RULES.policyTtlSeconds);
  const logs: LogLine[] = [];
  const handler = createPresignHandler(
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      // The JWKS is baked in; a fetch for an unknown kid fails as it would with the network off.
      verifier: createTokenVerifier(config, { fetcher: OFFLINE_FETCHER }),
      credentials: options.credentials ?? (() => TEST_CREDENTIALS),
      now: options.now ?? (() => FIXED_NOW),
      newId: newUploadId,
    },
    (line) => logs.push(line),
  );
  return { key, config, logs, handler };
}

const OFFLINE_FETCHER = {
  fetch: async (): Promise<ArrayBuffer> => {
    throw new Error('network is off in tests');
  },
};

/** The JSON body of a generated response, gunzipped when the handler compressed it. */
export function jsonBody(response: CloudFrontResultResponse): unknown {
  const raw = response.body ?? '';
  if (response.bodyEncoding === 'base64') {
    return JSON.parse(gunzipSync(Buffer.from(raw, 'base64')).toString('utf8'));
  }
  return JSON.parse(raw);
}

export function header(response: CloudFrontResultResponse, name: string): string | undefined {
  return response.headers?.[name.toLowerCase()]?.[0]?.value;
}

/** Who asks, the credentials the edge signs with, and its clock: what a route suite fixes per run. */
export interface RouteRun {
  readonly sub: string;
  readonly credentials: SigningCredentials;
  readonly now: Date;
}

/**
 * POSTs `body` as JSON to a presign route (`uri`) under `config` and `run`,
 * expects a 200 and returns the parsed body. The token path has its own
 * tests: here only its outcome, the sub, matters; every new id is the same.
 */
export async function callPresignRoute(config: EdgeConfig, run: RouteRun, uri: string, body: unknown): Promise<unknown> {
  const response = await routePresignRequest(
    {
      uri,
      method: 'POST',
      headers: { authorization: 'Bearer aaaa.bbbb.cccc', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      bodyTruncated: false,
    },
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      verifier: { verify: () => Promise.resolve({ sub: run.sub }) },
      credentials: () => run.credentials,
      now: () => new Date(run.now.getTime()),
      newId: () => '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
    },
  );
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as unknown;
}
