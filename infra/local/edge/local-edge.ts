/**
 * The local edge: the CloudFront distribution (and its WAF web ACL) of the
 * local stack, on node:http (docs/local-stack.md).
 *
 * Per request, in CloudFront's order:
 * 1. the viewer: IP from the first X-Forwarded-For entry, else the socket;
 *    country from CloudFront-Viewer-Country, else US (viewer.ts);
 * 2. the firewall, from the same rules file as the WAF web ACL: rate windows
 *    per IP with their path scope-down, geo deny, body size; `count` rules
 *    are logged, a `block` answers with the rule's status and a §3 error body
 *    (infra/shared/firewall-responses.ts);
 * 3. the behaviour by path pattern, from the distribution's own table
 *    (infra/shared/cloudfront-behaviours.ts, the one the CDK app deploys)
 *    plus the local `/_local/*` paths (behaviours.ts), matched on the path CloudFront normalizes first
 *    (path-normalization.ts: `//presign`, `/x/../presign`, `/%70resign` are
 *    all `/presign`), and the methods it allows; functions and origins still
 *    get the raw path, as CloudFront sends it;
 * 4. the function and origin the table names for that behaviour:
 *    `/presign*`       Lambda@Edge viewer-request (the built presign bundle), which answers itself;
 *    `/auth/*`         CloudFront Function auth-guard, then the auth API (API Gateway proxy event);
 *    `/_local/mailbox` the dev mailbox (local only);
 *    `/_local/metrics` the handlers' metrics and the firewall's counts (local only, metrics-collector.ts);
 *    `/_local/events`  the upload inspector's verdict events (local only);
 *    default           CloudFront Function site-router, then the site's files;
 * 5. the response headers policy (infra/shared/security-headers.ts) on every answer.
 *
 * Local only: a page opened at another name than the printed 127.0.0.1 URL
 * (`localhost:3000`) is cross-site to the auth API, whose one site origin is
 * `http://127.0.0.1:<port>`; its 403 FORBIDDEN_ORIGIN then says which URL to open.
 *
 * The server listens first and is given its parts once they are ready (the
 * site origin, which the other parts need, is only known once it listens);
 * until then it answers 503 INTERNAL, as CloudFront answers an origin it
 * cannot reach (EdgeNotReadyError).
 */
import { FORBIDDEN_ORIGIN, INTERNAL_BAD_GATEWAY, INTERNAL_UNAVAILABLE } from '../../../edge-functions/contract/http-errors';
import { listen } from '../listen';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Firewall } from '../../firewall/engine';
import { WAF_DEFAULT_BLOCK_STATUS } from '../../firewall/waf-limits';
import { firewallBlockBody } from '../../shared/firewall-responses';
import { CloudFrontFunctionResultError, CloudFrontFunctionRuntimeError } from './cloudfront-function-errors';
import type { CloudFrontFunction, CloudFrontFunctionOutcome, CloudFrontFunctionViewerRequestEvent } from './cloudfront-function-shapes';
import type { MailboxMessage } from '../mailbox';
import type { MetricsSnapshot } from '../metrics-collector';
import { toApiGatewayEvent, replyFromProxyResult } from './api-gateway-proxy';
import type { CloudFrontBehaviour } from '../../shared/cloudfront-behaviours';
import { behaviourFor, localBehaviours, type Behaviour, type BehaviourName } from './behaviours';
import { normalizePathForMatching } from './path-normalization';
import {
  originHeadersFrom,
  queryFrom,
  replyFromFunctionResponse,
  toCloudFrontFunctionEvent,
  type DistributionInfo,
} from './cloudfront-function-events';
import {
  EdgeFunctionError,
  EdgeInvalidRequestError,
  EdgeMethodNotAllowedError,
  EdgeNotFoundError,
  EdgeNotReadyError,
  EdgePayloadTooLargeError,
  edgeErrorReply,
  LocalEdgeError,
} from './errors';
import type { EventRecorder } from './event-recorder';
import {
  firstHeader,
  headerValues,
  jsonReply,
  newEdgeRequestId,
  rawHeaderPairs,
  readBody,
  replaceHeader,
  sendReply,
  type EdgeReply,
  type HeaderList,
  type ViewerRequest,
} from './http-exchange';
import { isGeneratedResponse, replyFromLambdaEdgeResponse, toLambdaEdgeEvent, type LambdaEdgeFunction } from './lambda-edge';
import type { StaticSite } from './static-site';
import { socketAddress, viewerOf } from './viewer';

/**
 * The most body the edge reads: API Gateway's 10 MB payload limit, the
 * largest body any origin here would take. The firewall's body-size rule
 * (8 KiB on the API paths by default) refuses far less.
 */
export const MAX_VIEWER_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalEdgeParts {
  readonly firewall: Firewall;
  readonly siteRouter: CloudFrontFunction;
  readonly authGuard: CloudFrontFunction;
  readonly presign: LambdaEdgeFunction;
  readonly authApi: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  readonly site: StaticSite;
  readonly mailbox: { messagesFor(email: string): readonly MailboxMessage[] };
  /** What `GET /_local/metrics` answers; without it that path is 404. */
  readonly metrics?: { snapshot(): MetricsSnapshot } | undefined;
  /** The inspector's verdict events, oldest first (GET /_local/events). */
  readonly events?: { all(): readonly unknown[] } | undefined;
  /** Added to every response, replacing any header of the same name. */
  readonly securityHeaders: Readonly<Record<string, string>>;
  readonly recorder?: EventRecorder | undefined;
  readonly log: (line: string) => void;
}

export interface LocalEdge {
  readonly url: string;
  readonly port: number;
  readonly distribution: DistributionInfo;
  /** Gives the edge its parts; requests before this answer 503 INTERNAL (EdgeNotReadyError). */
  attach(parts: LocalEdgeParts): void;
  close(): Promise<void>;
}

/** Where an answer came from, as CloudFront's X-Cache says it. */
type AnsweredBy = 'Error' | 'FunctionGeneratedResponse' | 'LambdaGeneratedResponse' | 'Miss';

interface Answer {
  readonly reply: EdgeReply;
  readonly by: AnsweredBy;
  readonly behaviour?: BehaviourName;
  readonly firewall?: { readonly blockedBy?: string; readonly counted: readonly string[] };
}

export interface LocalEdgeOptions {
  readonly port: number;
  readonly host?: string;
  /**
   * The distribution's behaviours.
   * @default CLOUDFRONT_BEHAVIOURS (infra/shared/cloudfront-behaviours.ts), the deployed table
   */
  readonly behaviours?: readonly CloudFrontBehaviour[];
}

export async function listenLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const host = options.host ?? '127.0.0.1';
  const behaviours = localBehaviours(options.behaviours);
  let parts: LocalEdgeParts | undefined;
  let distribution: DistributionInfo = { distributionDomainName: host, distributionId: 'LOCALEDGE' };

  const server = createServer((req, res) => {
    if (parts === undefined) {
      req.resume();
      sendReply(res, req.method ?? 'GET', edgeErrorReply(new EdgeNotReadyError()));
      return;
    }
    void serve(req, res, parts, distribution, behaviours);
  });
  // Keep-alive sockets would hold stop() up; a local edge has no use for long idle connections.
  server.keepAliveTimeout = 2000;

  const port = await listen(server, options.port, host);
  const authority = `${host}:${port}`;
  distribution = { distributionDomainName: authority, distributionId: 'LOCALEDGE' };

  return {
    url: `http://${authority}`,
    port,
    distribution,
    attach(ready) {
      parts = ready;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  parts: LocalEdgeParts,
  distribution: DistributionInfo,
  behaviours: readonly Behaviour[],
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const requestId = newEdgeRequestId();
  let answer: Answer;
  let request: ViewerRequest | undefined;
  try {
    request = await readViewerRequest(req, requestId);
    answer = await answerRequest(request, parts, distribution, behaviours);
  } catch (error) {
    if (!(error instanceof LocalEdgeError))
      parts.log(`[edge] ${method} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    else if (error instanceof EdgeFunctionError) parts.log(`[edge] ${error.functionName}: ${error.message}`);
    answer = { reply: edgeErrorReply(error), by: 'Error' };
  }

  let headers: HeaderList = answer.reply.headers;
  for (const [name, value] of Object.entries(parts.securityHeaders)) headers = replaceHeader(headers, name, [value]);
  headers = replaceHeader(headers, 'X-Cache', [`${answer.by} from cloudfront`]);
  headers = replaceHeader(headers, 'X-Amz-Cf-Id', [requestId]);
  const bodyLeftUnread = request === undefined || request.bodyOverLimit;
  try {
    sendReply(res, method, { ...answer.reply, headers }, bodyLeftUnread);
  } catch (error) {
    parts.log(`[edge] could not send the answer: ${error instanceof Error ? error.message : String(error)}`);
    res.destroy();
  }

  parts.log(
    JSON.stringify({
      msg: 'edge request',
      method,
      // The path only: a query may carry an email address.
      path: request?.path ?? '',
      status: answer.reply.status,
      behaviour:
        answer.behaviour ?? (request === undefined ? 'none' : behaviourFor(normalizePathForMatching(request.path), behaviours).name),
      answeredBy: answer.by,
      viewer: request?.viewer.ip ?? '',
      country: request?.viewer.country ?? '',
      ...(answer.firewall?.blockedBy === undefined ? {} : { blockedBy: answer.firewall.blockedBy }),
      ...(answer.firewall !== undefined && answer.firewall.counted.length > 0 ? { counted: answer.firewall.counted } : {}),
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    }),
  );
}

async function readViewerRequest(req: IncomingMessage, requestId: string): Promise<ViewerRequest> {
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
  const headers = rawHeaderPairs(req.rawHeaders);
  const socketIp = socketAddress(req.socket.remoteAddress);
  const { body, overLimit } = await readBody(req, MAX_VIEWER_BODY_BYTES);
  return {
    requestId,
    method: req.method ?? 'GET',
    path,
    query,
    headers,
    body,
    bodyOverLimit: overLimit,
    viewer: viewerOf(headers, socketIp),
    socketIp,
    receivedAt: new Date(),
  };
}

async function answerRequest(
  request: ViewerRequest,
  parts: LocalEdgeParts,
  distribution: DistributionInfo,
  behaviours: readonly Behaviour[],
): Promise<Answer> {
  if (!request.path.startsWith('/')) throw new EdgeInvalidRequestError('The request target must be a path.');

  const verdict = parts.firewall.inspect({
    ip: request.viewer.ip,
    country: request.viewer.country,
    method: request.method,
    uri: request.path,
    bodySize: bodySizeOf(request),
  });
  const firewall = { counted: verdict.counted, ...(verdict.rule === undefined ? {} : { blockedBy: verdict.rule }) };
  if (verdict.action === 'block') {
    const status = verdict.status ?? WAF_DEFAULT_BLOCK_STATUS;
    const ruleType = parts.firewall.rules.rules.find((rule) => rule.name === verdict.rule)?.type;
    return { reply: jsonReply(status, firewallBlockBody(status, ruleType)), by: 'Error', firewall };
  }
  if (request.bodyOverLimit) throw new EdgePayloadTooLargeError(`The body is larger than ${MAX_VIEWER_BODY_BYTES} bytes the edge accepts.`);

  const behaviour = behaviourFor(normalizePathForMatching(request.path), behaviours);
  const allowed: readonly string[] = behaviour.allowedMethods;
  if (!allowed.includes(request.method)) {
    throw new EdgeMethodNotAllowedError(
      `${behaviour.name === 'mailbox' ? 'The mailbox' : 'This path'} accepts ${allowed.join(' and ')} only.`,
      allowed,
    );
  }
  const answered = (reply: EdgeReply, by: AnsweredBy): Answer => ({
    reply: withLocalhostHint(reply, request, distribution),
    by,
    behaviour: behaviour.name,
    firewall,
  });

  if ('local' in behaviour) {
    if (behaviour.name === 'mailbox') return answered(mailboxReply(request, parts), 'Miss');
    if (behaviour.name === 'events') return answered(jsonReply(200, { events: parts.events?.all() ?? [] }), 'Miss');
    if (parts.metrics === undefined) throw new EdgeNotFoundError('This edge collects no metrics.');
    return answered(jsonReply(200, parts.metrics.snapshot()), 'Miss');
  }

  // The function and the origin the table names for this behaviour, as CloudFront runs them.
  const fn = behaviour.viewerRequest;
  if (fn.type === 'lambda-edge') {
    const event = toLambdaEdgeEvent(request, distribution);
    parts.recorder?.record('lambda-edge', parts.presign.name, request.method, request.path, event);
    const result = await parts.presign.invoke(event);
    if (!isGeneratedResponse(result)) {
      throw new EdgeFunctionError(
        `${parts.presign.name} let the request through, and ${behaviour.pathPattern} has no origin here`,
        INTERNAL_BAD_GATEWAY.status,
        parts.presign.name,
      );
    }
    return answered(replyFromLambdaEdgeResponse(result, parts.presign.name), 'LambdaGeneratedResponse');
  }
  const cloudFrontFunction = fn.name === 'auth-guard' ? parts.authGuard : parts.siteRouter;
  const outcome = runViewerFunction(parts, cloudFrontFunction, fn.name, toCloudFrontFunctionEvent(request, distribution), request);
  if (outcome.kind === 'response') return answered(replyFromFunctionResponse(outcome.response), 'FunctionGeneratedResponse');
  switch (behaviour.origin) {
    case 'auth-api': {
      const event = toApiGatewayEvent({
        method: request.method,
        path: outcome.request.uri,
        query: queryFrom(outcome.request),
        headers: forwardedHeaders(originHeadersFrom(outcome.request, request.headers), request),
        body: request.body,
        sourceIp: request.viewer.ip,
        receivedAt: request.receivedAt,
      });
      parts.recorder?.record('api-gateway', 'auth', request.method, outcome.request.uri, event);
      return answered(replyFromProxyResult(await parts.authApi(event)), 'Miss');
    }
    case 'site':
      return answered(parts.site.serve(outcome.request.uri), 'Miss');
    case 'none':
      throw new EdgeFunctionError(
        `${fn.name} let the request through, and ${behaviour.pathPattern} has no origin`,
        INTERNAL_BAD_GATEWAY.status,
        fn.name,
      );
  }
}

/**
 * Issue 12: a page opened at `http://localhost:<port>` sends `Origin:
 * http://localhost:<port>`, which the auth API refuses as cross-site (its one
 * site origin is the printed `http://127.0.0.1:<port>`, as on AWS). The
 * answer stays 403 FORBIDDEN_ORIGIN; its message says which URL to open.
 * Only when the viewer used another name than the edge's own: an attack from
 * a foreign origin at the right address learns nothing new.
 */
function withLocalhostHint(reply: EdgeReply, request: ViewerRequest, distribution: DistributionInfo): EdgeReply {
  if (reply.status !== FORBIDDEN_ORIGIN.status) return reply;
  const own = distribution.distributionDomainName.toLowerCase();
  const host = firstHeader(request.headers, 'host')?.trim().toLowerCase();
  if (host === undefined || host === '' || host === own) return reply;
  let body: unknown;
  try {
    body = JSON.parse(reply.body.toString('utf8'));
  } catch {
    return reply;
  }
  if (!isErrorBody(body) || body.error.code !== FORBIDDEN_ORIGIN.code) return reply;
  const url = `http://${distribution.distributionDomainName}`;
  // The Host itself is not echoed: it is the viewer's to choose.
  const message = `${body.error.message} Open ${url} instead: that is this local stack's site origin, and the name this page was opened at is not.`;
  return { ...reply, body: Buffer.from(JSON.stringify({ ...body, error: { ...body.error, message } }), 'utf8') };
}

function isErrorBody(body: unknown): body is { error: { code: unknown; message: string } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error: unknown = body.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error && typeof error.message === 'string';
}

/** The size the firewall sees: what was read, or more when the viewer sent more than the edge reads. */
function bodySizeOf(request: ViewerRequest): number {
  if (!request.bodyOverLimit) return request.body.length;
  const declared = Number(firstHeader(request.headers, 'content-length'));
  return Number.isSafeInteger(declared) && declared > request.body.length ? declared : request.body.length + 1;
}

function runViewerFunction(
  parts: LocalEdgeParts,
  fn: CloudFrontFunction,
  name: string,
  event: CloudFrontFunctionViewerRequestEvent,
  request: ViewerRequest,
): CloudFrontFunctionOutcome {
  parts.recorder?.record('cloudfront-functions', name, request.method, request.path, event);
  let outcome: CloudFrontFunctionOutcome;
  try {
    outcome = fn.run(event);
  } catch (error) {
    if (error instanceof CloudFrontFunctionRuntimeError) {
      for (const line of error.logs) parts.log(`[${name}] ${line}`);
      throw new EdgeFunctionError(error.message, INTERNAL_UNAVAILABLE.status, name);
    }
    if (error instanceof CloudFrontFunctionResultError) throw new EdgeFunctionError(error.message, INTERNAL_BAD_GATEWAY.status, name);
    throw error;
  }
  for (const line of outcome.logs) parts.log(`[${name}] ${line}`);
  return outcome;
}

/** What CloudFront adds to a request it forwards to an origin. */
function forwardedHeaders(headers: HeaderList, request: ViewerRequest): HeaderList {
  const sent = headerValues(request.headers, 'x-forwarded-for').join(', ');
  let out = replaceHeader(headers, 'X-Forwarded-For', [sent === '' ? request.socketIp : `${sent}, ${request.socketIp}`]);
  out = replaceHeader(out, 'CloudFront-Viewer-Country', [request.viewer.country]);
  out = replaceHeader(out, 'Via', ['2.0 local-edge (CloudFront)']);
  return replaceHeader(out, 'X-Amz-Cf-Id', [request.requestId]);
}

function mailboxReply(request: ViewerRequest, parts: LocalEdgeParts): EdgeReply {
  const email = new URLSearchParams(request.query).get('email')?.trim() ?? '';
  if (email === '') throw new EdgeInvalidRequestError('Say whose mail to read: /_local/mailbox?email=<address>.');
  const messages = parts.mailbox.messagesFor(email).map(({ to, kind, code, sentAt }) => ({ to, kind, code, sentAt }));
  return jsonReply(200, { messages });
}
