/**
 * Every request that is neither a browser upload nor a multipart call
 * (GET, HEAD, PUT, DELETE, list, other OPTIONS, POSTs with a subresource):
 * its SigV4 signature verified (request-signature.ts), its body spooled and
 * held to its digests (request-body.ts), then streamed to s3rver and back
 * unchanged, except that SSE headers are kept for s3rver as reserved
 * metadata (object-metadata.ts), tags are stored after a write
 * (object-tags.ts) and ListObjectsV2 is answered from s3rver's version 1
 * listing (list-objects-v2.ts). With a read rule, the request is first held
 * to what the AWS bucket policy and the edge role allow.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { AccessDeniedError, ServiceUnavailableError } from './errors';
import { isListV2, listV2Request, listV2Result } from './list-objects-v2';
import { encryptionFromStore, encryptionToStore } from './object-metadata';
import {
  checkEdgeAccess,
  checkVerified,
  isGetObject,
  parseTaggingHeader,
  parseTaggingXml,
  readDecision,
  taggingXml,
  type ReadRule,
  type Tags,
} from './object-tags';
import type { GuardCredentials } from './policy-signature';
import { contentMd5Of, spoolBody, storedContentEncoding, type SpooledBody } from './request-body';
import { header, sendError, type RequestContext, type Target } from './request-context';
import { RequestSignatureVerifier, type SignedRequestInput, type VerifiedRequest } from './request-signature';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

export interface ProxyOptions {
  readonly upstream: URL;
  readonly agent: Agent;
  readonly verifier: RequestVerifiers;
  readonly clock: () => Date;
  readonly tempDirectory: string;
  readonly readRule: ReadRule | undefined;
}

/**
 * The keys the guard knows: the edge's (every request), and, with a read
 * rule, the inspector's (exempt from it). A request is verified by the
 * verifier of the access key it names; an unknown key goes to the edge's,
 * which refuses it as S3 does.
 */
export class RequestVerifiers {
  private readonly main: RequestSignatureVerifier;
  private readonly exempt: { readonly accessKeyId: string; readonly verifier: RequestSignatureVerifier } | undefined;

  constructor(options: {
    readonly credentials: GuardCredentials;
    readonly region: string;
    readonly readRule?: { readonly exemptCredentials: GuardCredentials } | undefined;
  }) {
    this.main = new RequestSignatureVerifier({ credentials: options.credentials, region: options.region });
    const exempt = options.readRule?.exemptCredentials;
    this.exempt =
      exempt === undefined
        ? undefined
        : { accessKeyId: exempt.accessKeyId, verifier: new RequestSignatureVerifier({ credentials: exempt, region: options.region }) };
  }

  async verify(input: SignedRequestInput): Promise<VerifiedRequest & { readonly exempt: boolean }> {
    const exempt = this.exempt !== undefined && accessKeyIdOf(input) === this.exempt.accessKeyId;
    const verified = await (exempt && this.exempt !== undefined ? this.exempt.verifier : this.main).verify(input);
    return { ...verified, exempt };
  }
}

/** The access key id a request names (query or header auth), or undefined. */
function accessKeyIdOf(input: SignedRequestInput): string | undefined {
  for (const [name, value] of new URLSearchParams(input.rawQuery)) if (name === 'X-Amz-Credential') return value.split('/')[0];
  const authorization = input.headers.authorization;
  const match = /Credential=([^/,\s]+)\//.exec(Array.isArray(authorization) ? (authorization[0] ?? '') : (authorization ?? ''));
  return match?.[1];
}

/** Headers that belong to the signature or the framing, never passed on (the guard has checked them). */
const AUTH_HEADERS = new Set([
  'authorization',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'transfer-encoding',
  'content-length',
  'expect',
]);

/**
 * Any request that is not a form upload or a POST preflight: its SigV4
 * signature is verified first (request-signature.ts; unsigned requests are
 * refused, reads included, as a private bucket refuses them), then its body
 * is spooled and held to Content-MD5 / x-amz-content-sha256 / checksums
 * (request-body.ts), and only then does it reach s3rver, unsigned (s3rver
 * knows nothing of the keys, and the body may have lost its aws-chunked
 * framing), from the temporary file.
 */
export async function proxy(context: RequestContext, target: Target, options: ProxyOptions): Promise<void> {
  const { req } = context;
  let tempPath: string | undefined;
  try {
    let verified: Pick<VerifiedRequest, 'payload' | 'forwardQuery'> & { readonly exempt: boolean };
    try {
      // A CORS preflight never carries credentials (in S3 neither); s3rver answers it from the bucket's CORS rules.
      verified =
        context.method === 'OPTIONS'
          ? { payload: { kind: 'unsigned' }, forwardQuery: target.query, exempt: false }
          : await options.verifier.verify({
              method: context.method,
              rawPath: context.path,
              rawQuery: target.query,
              headers: req.headers,
              now: options.clock(),
            });
      if (options.readRule !== undefined && !verified.exempt && context.method !== 'OPTIONS') {
        const setsTags = (requestedTagging(context.method, target, verified.forwardQuery, req) ?? '') !== '';
        checkEdgeAccess({ method: context.method, key: target.key, forwardQuery: verified.forwardQuery, setsTags }, options.readRule);
      }
      if (hasBody(req)) contentMd5Of(req.headers); // a malformed digest is refused before the body is read
    } catch (error) {
      req.resume();
      throw error;
    }
    let body: SpooledBody | undefined;
    if (hasBody(req)) {
      tempPath = join(options.tempDirectory, randomUUID());
      body = await spoolBody(req, tempPath, { payload: verified.payload, headers: withQueryChecksums(req.headers, verified.forwardQuery) });
    } else {
      req.resume();
    }
    let headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(withoutHopByHop(req.headers))) if (!AUTH_HEADERS.has(name)) headers[name] = value;
    const encoding = storedContentEncoding(header(req, 'content-encoding'));
    if (encoding === undefined) delete headers['content-encoding'];
    else headers['content-encoding'] = encoding;
    if (body !== undefined || context.method === 'PUT' || context.method === 'POST') headers['content-length'] = String(body?.size ?? 0);
    if (context.method === 'PUT') headers = encryptionToStore(headers) as IncomingHttpHeaders;
    // S3 holds GetObject and HeadObject alike (both are s3:GetObject), whatever else the query carries.
    const reading = context.method === 'GET' || context.method === 'HEAD';
    if (options.readRule !== undefined && !verified.exempt && reading && target.key !== '' && isGetObject(verified.forwardQuery)) {
      const decision = readDecision(target.key, options.readRule);
      if (decision === 'deny') throw new AccessDeniedError('Access Denied');
      if (decision === 'tags') checkVerified(await tagsOf(options, context.path), options.readRule);
    }
    const tags = tagsToApply(context.method, target, verified.forwardQuery, req);
    const adjust: ForwardAdjustments = {
      // s3rver ignores x-amz-tagging: the tags are set after a successful write, before the client hears of it.
      ...(tags === undefined ? {} : { afterSuccess: () => putTags(options, context.path, tags) }),
    };
    let forwardQuery = verified.forwardQuery;
    if (context.method === 'GET' && target.bucket !== '' && target.key === '' && isListV2(forwardQuery)) {
      const list = listV2Request(forwardQuery);
      forwardQuery = list.v1Query;
      adjust.transformBody = (xml) => listV2Result(xml, list);
    } else if ((context.method === 'GET' || context.method === 'HEAD') && target.key !== '') {
      // s3rver refuses response-* overrides on the (unsigned) request it gets; S3 applies them to a signed GET.
      const split = responseOverrides(forwardQuery);
      forwardQuery = split.rest;
      adjust.overrideHeaders = split.headers;
    }
    await forward(context, options, `${context.path}${forwardQuery === '' ? '' : `?${forwardQuery}`}`, headers, body, adjust);
  } catch (error) {
    sendError(context, error);
  } finally {
    if (tempPath !== undefined) await rm(tempPath, { force: true });
  }
}

/**
 * A presigned URL may carry `x-amz-checksum-<algorithm>` in its (signed)
 * query instead of as a header; S3 holds the body to it all the same (the
 * JS SDK since 3.729 signs the CRC32 of an empty body into every presigned
 * PutObject/UploadPart URL unless the client says
 * `requestChecksumCalculation: 'WHEN_REQUIRED'`, and S3 then refuses the
 * upload with BadDigest). A header of the same name wins.
 */
export function withQueryChecksums(headers: IncomingHttpHeaders, forwardQuery: string): IncomingHttpHeaders {
  const hoisted: IncomingHttpHeaders = {};
  for (const [name, value] of new URLSearchParams(forwardQuery)) {
    const lower = name.toLowerCase();
    if (/^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/.test(lower)) hoisted[lower] = value;
  }
  return { ...hoisted, ...headers };
}

export function hasBody(req: IncomingMessage): boolean {
  const length = header(req, 'content-length');
  return header(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

function forward(
  context: RequestContext,
  options: ProxyOptions,
  path: string,
  headers: IncomingHttpHeaders,
  body: SpooledBody | undefined,
  adjust: ForwardAdjustments = {},
): Promise<void> {
  const { res } = context;
  const { upstream, agent } = options;
  return new Promise<void>((resolve) => {
    const outgoing = request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: context.method, path, headers, agent },
      async (incoming) => {
        const ok = incoming.statusCode === 200;
        const answerHeaders = definedHeaders(encryptionFromStore(withoutHopByHop(incoming.headers)));
        try {
          if (ok && adjust.afterSuccess !== undefined) await adjust.afterSuccess();
          if (ok && adjust.overrideHeaders !== undefined) Object.assign(answerHeaders, adjust.overrideHeaders);
          if (ok && adjust.transformBody !== undefined) {
            const chunks: Buffer[] = [];
            for await (const chunk of incoming) chunks.push(chunk as Buffer);
            const text = adjust.transformBody(Buffer.concat(chunks).toString('utf8'));
            answerHeaders['content-length'] = String(Buffer.byteLength(text));
            res.writeHead(200, incoming.statusMessage, answerHeaders);
            res.end(text);
            resolve();
            return;
          }
        } catch (error) {
          incoming.resume();
          sendError(context, error);
          resolve();
          return;
        }
        res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, answerHeaders);
        incoming.pipe(res);
        incoming.on('error', () => res.destroy());
        incoming.on('end', () => resolve());
        incoming.on('close', () => resolve());
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) sendError(context, new ServiceUnavailableError());
      else res.destroy();
      resolve();
    });
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
      resolve();
    });
    if (body === undefined) {
      outgoing.end();
      return;
    }
    const file = createReadStream(body.path);
    file.on('error', (error) => outgoing.destroy(error));
    file.pipe(outgoing);
  });
}

/** What the proxy changes about one answer from s3rver (only when s3rver answered 200). */
interface ForwardAdjustments {
  /** Runs before the client hears of the success; a failure becomes the answer. */
  afterSuccess?: () => Promise<void>;
  /** Replaces the (small, buffered) body. */
  transformBody?: (body: string) => string;
  /** Replace headers of the answer (lower-case names). */
  overrideHeaders?: Record<string, string>;
}

/** S3's response-* overrides of a signed GetObject, and the query without them. */
const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};
function responseOverrides(forwardQuery: string): { rest: string; headers: Record<string, string> } {
  if (!/(^|&)response-/.test(forwardQuery)) return { rest: forwardQuery, headers: {} };
  const rest = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(forwardQuery)) {
    const target = RESPONSE_OVERRIDES[name];
    if (target === undefined) rest.append(name, value);
    else headers[target] = value;
  }
  return { rest: rest.toString().replace(/\+/g, '%20'), headers };
}

/**
 * The `x-amz-tagging` a PutObject (or a CopyObject with
 * `x-amz-tagging-directive: REPLACE`, where none means "no tags") asks S3 to
 * store; undefined when the request is neither, or a PutObject without tags,
 * or a CopyObject that keeps the source's (s3rver.ts clears and copies tags
 * on every write, as S3 does).
 */
function requestedTagging(method: string, target: Target, forwardQuery: string, req: IncomingMessage): string | undefined {
  if (method !== 'PUT' || target.key === '') return undefined;
  // A PUT with a subresource (?tagging, ?acl, ?partNumber…) is not PutObject/CopyObject.
  for (const [name, value] of new URLSearchParams(forwardQuery))
    if (name !== 'x-id' || !['PutObject', 'CopyObject'].includes(value)) return undefined;
  const tagging = header(req, 'x-amz-tagging');
  const copying = header(req, 'x-amz-copy-source') !== undefined;
  if (!copying) return tagging;
  return (header(req, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase() === 'REPLACE' ? (tagging ?? '') : undefined;
}

/** The tags to store after the write; checked before it, as S3 refuses a bad tag set without storing anything. */
function tagsToApply(method: string, target: Target, forwardQuery: string, req: IncomingMessage): Tags | undefined {
  const tagging = requestedTagging(method, target, forwardQuery, req);
  return tagging === undefined ? undefined : parseTaggingHeader(tagging);
}

/** One small call to s3rver (tags), answered in full. */
function upstreamCall(options: ProxyOptions, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const { upstream, agent } = options;
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) };
    const outgoing = request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method, path, headers, agent },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', () => reject(new ServiceUnavailableError()));
    outgoing.end(body);
  });
}

/** The object's tags, or undefined when s3rver has no such object (S3 then refuses the read too). */
async function tagsOf(options: ProxyOptions, objectPathRaw: string): Promise<Tags | undefined> {
  const answer = await upstreamCall(options, 'GET', `${objectPathRaw}?tagging`);
  return answer.status === 200 ? parseTaggingXml(answer.body) : undefined;
}

async function putTags(options: ProxyOptions, objectPathRaw: string, tags: Tags): Promise<void> {
  const answer = await upstreamCall(options, 'PUT', `${objectPathRaw}?tagging`, taggingXml(tags));
  if (answer.status !== 200) throw new ServiceUnavailableError();
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  return out;
}

function definedHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}
