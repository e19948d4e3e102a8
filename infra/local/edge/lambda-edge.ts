/**
 * Lambda@Edge, locally: a built function bundle loaded the way Lambda's
 * Node.js runtime loads it, real viewer-request events in, its generated
 * responses checked the way CloudFront checks them, out.
 *
 * Loading. The bundle is a CommonJS file that reads `config.json` from its
 * own folder at module load (docs/edge-config.md). It is evaluated here with Node's
 * CommonJS wrapper (`exports, require, module, __filename, __dirname`), once
 * per `loadLambdaEdgeFunction` call: every start of the stack is a fresh cold
 * start that reads the config beside it, even when a test restarts the stack
 * in one process (Node's and Jest's module caches would hand back the first
 * instance). Two more wrapper parameters give the function what the Lambda
 * runtime gives it and nothing of the host's: `process` whose `env` is only
 * the function's environment (its credentials, AWS_REGION, …; never the
 * developer's own variables), and a `console` that writes to the edge's log,
 * as CloudWatch Logs would collect it. `require` resolves from the bundle's
 * folder and only Node's built-in modules: a Lambda@Edge bundle must be
 * self-contained.
 *
 * Events. `toLambdaEdgeEvent` builds the viewer-request event from the
 * viewer's request: `clientIp`, the lower-case header map of `[{key, value}]`
 * with the case the viewer sent in `key`, the raw query string, and the body
 * (base64) when the function is associated with "include body": cut at
 * 40 KB with `inputTruncated: true`, as CloudFront does.
 *
 * Responses. CloudFront refuses a generated response it cannot send (bad
 * status, malformed headers, a header it reserves, more than 40 KB in all)
 * with a 502; a function that throws or runs past its timeout is a 503.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { format } from 'node:util';
import vm from 'node:vm';
import { INTERNAL_BAD_GATEWAY, INTERNAL_UNAVAILABLE } from '../../../edge-functions/contract/http-errors';
import { EdgeFunctionError } from './errors';
import type { DistributionInfo } from './cloudfront-function-events';
import type { EdgeReply, ViewerRequest } from './http-exchange';

/** CloudFront passes a viewer-request function at most this much of the body. */
export const LAMBDA_EDGE_VIEWER_BODY_BYTES = 40 * 1024;
/** Largest generated viewer-request response, headers and body together. */
export const LAMBDA_EDGE_VIEWER_RESPONSE_BYTES = 40 * 1024;
/** Lambda@Edge's timeout for viewer-request functions. */
export const LAMBDA_EDGE_VIEWER_TIMEOUT_MS = 5000;

/** Headers a generated response may not set ("Restrictions on edge functions", disallowed headers). */
const DISALLOWED_RESPONSE_HEADERS =
  /^(?:connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|transfer-encoding|upgrade|via|x-accel-.*|x-amz-cf-.*|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip)$/;
/** Hop-by-hop headers never reach a function. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export type LambdaEdgeResult = CloudFrontResultResponse | CloudFrontRequest;
type Handler = (event: CloudFrontRequestEvent, context: Context, callback: (error?: unknown, result?: LambdaEdgeResult) => void) => unknown;

export interface LambdaEdgeOptions {
  /** The function's name, for logs and errors (`presign`). */
  readonly name: string;
  /** The function's whole environment: what Lambda sets (credentials, region, …). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where the function's console output goes, one call per console call. */
  readonly log: (line: string) => void;
  /** @default LAMBDA_EDGE_VIEWER_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export interface LambdaEdgeFunction {
  readonly name: string;
  /** Runs the handler once. Throws EdgeFunctionError as CloudFront would fail the request. */
  invoke(event: CloudFrontRequestEvent): Promise<LambdaEdgeResult>;
}

/** Loads (cold-starts) `bundleFile`; a module that throws at load time fails here, loudly. */
export function loadLambdaEdgeFunction(bundleFile: string, options: LambdaEdgeOptions): LambdaEdgeFunction {
  const filename = path.resolve(bundleFile);
  const source = readFileSync(filename, 'utf8');
  const hostRequire = createRequire(filename);
  const bundleRequire = (id: string): unknown => {
    if (!isBuiltin(id))
      throw new Error(
        `${options.name}: the bundle requires "${id}", which is not a Node built-in; Lambda@Edge bundles must be self-contained`,
      );
    return hostRequire(id);
  };
  const functionProcess = Object.create(process, { env: { value: { ...options.environment }, enumerable: true } }) as NodeJS.Process;
  const functionConsole = consoleFor(options.log);
  const module = { exports: {} as Record<string, unknown>, filename, id: filename, loaded: false };

  const wrapper = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname', 'process', 'console'], {
    filename,
  });
  wrapper.call(module.exports, module.exports, bundleRequire, module, filename, path.dirname(filename), functionProcess, functionConsole);
  module.loaded = true;

  const handler = module.exports['handler'];
  if (typeof handler !== 'function') throw new Error(`${filename} does not export a handler function`);
  const timeoutMs = options.timeoutMs ?? LAMBDA_EDGE_VIEWER_TIMEOUT_MS;
  let invocations = 0;

  return {
    name: options.name,
    async invoke(event) {
      invocations += 1;
      const context = lambdaContext(options, invocations, timeoutMs);
      const outcome = await runWithTimeout(handler as Handler, event, context, timeoutMs);
      if (outcome.kind === 'timeout')
        throw new EdgeFunctionError(`${options.name} timed out after ${timeoutMs} ms`, INTERNAL_UNAVAILABLE.status, options.name);
      if (outcome.kind === 'error') {
        options.log(`${options.name}: the handler failed: ${describe(outcome.error)}`);
        throw new EdgeFunctionError(`${options.name} threw`, INTERNAL_UNAVAILABLE.status, options.name);
      }
      return outcome.result;
    },
  };
}

type RunOutcome = { kind: 'result'; result: LambdaEdgeResult } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** Promise-returning and callback-style handlers both, as the Node.js runtime accepts them. */
function runWithTimeout(handler: Handler, event: CloudFrontRequestEvent, context: Context, timeoutMs: number): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    const callback = (error?: unknown, result?: LambdaEdgeResult): void => {
      if (error !== undefined && error !== null) settle({ kind: 'error', error });
      else if (result === undefined) settle({ kind: 'error', error: new Error('the handler called back with no result') });
      else settle({ kind: 'result', result });
    };
    try {
      const returned = handler(event, context, callback);
      if (isPromiseLike(returned)) {
        returned.then(
          (result) => (result === undefined ? undefined : settle({ kind: 'result', result: result as LambdaEdgeResult })),
          (error: unknown) => settle({ kind: 'error', error }),
        );
      }
    } catch (error) {
      settle({ kind: 'error', error });
    }
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function lambdaContext(options: LambdaEdgeOptions, invocation: number, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = `us-east-1.${options.name}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '1',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}:1`,
    memoryLimitInMB: '128',
    awsRequestId: `00000000-0000-4000-8000-${String(invocation).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local-edge',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function consoleFor(log: (line: string) => void): Console {
  const write = (...args: unknown[]): void => log(format(...args));
  return Object.assign(Object.create(console) as Console, {
    log: write,
    info: write,
    warn: write,
    error: write,
    debug: write,
    trace: write,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

// ---------------------------------------------------------------------------
// Events and responses

export function toLambdaEdgeEvent(request: ViewerRequest, distribution: DistributionInfo): CloudFrontRequestEvent {
  const grouped = new Map<string, Array<{ key: string; value: string }>>();
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key)) continue;
    const list = grouped.get(key);
    if (list === undefined) grouped.set(key, [{ key: name, value }]);
    else list.push({ key: name, value });
  }
  // fromEntries: a header named `__proto__` stays a header.
  const headers: CloudFrontHeaders = Object.fromEntries(grouped);
  const cfRequest: CloudFrontRequest = {
    clientIp: request.viewer.ip,
    headers,
    method: request.method,
    querystring: request.query,
    uri: request.path,
  };
  if (request.body.length > 0) {
    const truncated = request.body.length > LAMBDA_EDGE_VIEWER_BODY_BYTES || request.bodyOverLimit;
    cfRequest.body = {
      inputTruncated: truncated,
      action: 'read-only',
      encoding: 'base64',
      data: request.body.subarray(0, LAMBDA_EDGE_VIEWER_BODY_BYTES).toString('base64'),
    };
  }
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: distribution.distributionDomainName,
            distributionId: distribution.distributionId,
            eventType: 'viewer-request',
            requestId: request.requestId,
          },
          request: cfRequest,
        },
      },
    ],
  };
}

export function isGeneratedResponse(result: LambdaEdgeResult): result is CloudFrontResultResponse {
  return typeof result === 'object' && result !== null && 'status' in result;
}

/** A generated response as the viewer gets it, or EdgeFunctionError(502) where CloudFront would refuse it. */
export function replyFromLambdaEdgeResponse(response: CloudFrontResultResponse, functionName: string): EdgeReply {
  const invalid = (why: string): EdgeFunctionError =>
    new EdgeFunctionError(`${functionName} generated an invalid response: ${why}`, INTERNAL_BAD_GATEWAY.status, functionName);
  const status = String(response.status);
  if (!/^[1-5][0-9]{2}$/.test(status)) throw invalid(`status ${status}`);

  const headers: Array<[string, string]> = [];
  let size = status.length + (response.statusDescription?.length ?? 0);
  for (const [name, values] of Object.entries(response.headers ?? {})) {
    if (!Array.isArray(values)) throw invalid(`header ${name} is not a list`);
    if (DISALLOWED_RESPONSE_HEADERS.test(name)) throw invalid(`header ${name} may not be set by a function`);
    for (const entry of values) {
      const value: unknown = entry?.value;
      const key = entry?.key ?? name;
      if (typeof value !== 'string' || typeof key !== 'string' || key.toLowerCase() !== name) throw invalid(`header ${name} is malformed`);
      if (/[\r\n]/.test(value)) throw invalid(`header ${name} has a line break`);
      headers.push([key, value]);
      size += key.length + value.length;
    }
  }

  const encoding = response.bodyEncoding ?? 'text';
  if (encoding !== 'text' && encoding !== 'base64') throw invalid(`bodyEncoding ${String(encoding)}`);
  const text = response.body ?? '';
  if (typeof text !== 'string') throw invalid('body is not a string');
  size += Buffer.byteLength(text, 'utf8');
  if (size > LAMBDA_EDGE_VIEWER_RESPONSE_BYTES) throw invalid(`${size} bytes, over the ${LAMBDA_EDGE_VIEWER_RESPONSE_BYTES}-byte limit`);
  const body = encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');

  return {
    status: Number(status),
    ...(response.statusDescription === undefined ? {} : { statusText: response.statusDescription }),
    headers,
    body,
  };
}
