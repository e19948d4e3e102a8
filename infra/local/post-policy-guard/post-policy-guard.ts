/**
 * The POST-policy guard's HTTP adapter: S3's browser-upload checks in front
 * of s3rver (docs/local-stack.md), on node:http.
 *
 * - `POST /<bucket>` with a multipart/form-data body is a browser upload. The
 *   body is parsed as it arrives (busboy): the fields before the file are
 *   checked by the pure core (authorize-post.ts) as soon as the file part
 *   starts, before a byte of it is kept; the file then streams to a temporary
 *   file while its bytes are counted, and the upload is cut off as soon as it
 *   passes the policy's largest allowed size. Only when everything holds is
 *   the object handed to s3rver (PutObject, streamed from the temporary
 *   file); the temporary file is always removed. Fields after the file are
 *   ignored, as S3 ignores them.
 * - Multipart uploads (create, upload part, complete, list parts, abort) are
 *   S3 here, not in s3rver (which lacks list and abort): verified like any
 *   signed request, parts kept on disk (multipart-store.ts), checked and
 *   concatenated into s3rver by streaming on complete (multipart-upload.ts).
 * - Every CORS preflight is answered here (cors.ts).
 * - Every other request (GET, HEAD, PUT, DELETE, list, other OPTIONS, POSTs
 *   with a subresource) is streamed to s3rver and back unchanged, except
 *   that SSE headers are kept for s3rver as reserved metadata
 *   (object-metadata.ts).
 * - With a `readRule`, every request is first held to what the AWS bucket
 *   policy and the edge role allow (object-tags.ts): reads of unverified or
 *   quarantined objects, and the edge key's tagging and writes outside the
 *   upload prefix, are refused before any body is read.
 */
import { listen } from '../listen';
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { authorizePost, checkFileSize, type AuthorizedUpload, type GuardPolicyConfig } from './authorize-post';
import { corsHeaders, preflightHeaders } from './cors';
import {
  AccessDeniedError,
  EntityTooLargeError,
  IncompleteBodyError,
  IncorrectNumberOfFilesError,
  InvalidArgumentError,
  MalformedPostRequestError,
  MaxPostPreDataLengthExceededError,
  NoSuchBucketError,
  NotImplementedError,
  PostGuardError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from './errors';
import { FILE_FIELD, FormFields, MAX_PRE_DATA_BYTES } from './form-fields';
import { MultipartStore } from './multipart-store';
import {
  completeResultXml,
  initiateResultXml,
  listPartsXml,
  MAX_COMPLETE_BODY_BYTES,
  MAX_PART_SIZE,
  parseCompleteRequest,
  parseListPartsQuery,
  parsePartNumber,
  planCompletion,
} from './multipart-upload';
import { encryptionFromStore, encryptionToStore, MULTIPART_ETAG_METADATA, objectMetadataFromForm } from './object-metadata';
import { objectPath, S3rverObjectStore, type ObjectStore } from './object-store';
import type { GuardCredentials } from './policy-signature';
import { contentMd5Of, spoolBody, storedContentEncoding, type SpooledBody } from './request-body';
import { RequestSignatureVerifier, type SignedRequestInput, type VerifiedRequest } from './request-signature';
import { isListV2, listV2Request, listV2Result } from './list-objects-v2';
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
import { errorResponse, newRequestId, postResponseXml } from './s3-xml';

export interface PostPolicyGuardOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where s3rver answers, e.g. http://127.0.0.1:4568. */
  readonly s3rverEndpoint: string;
  /** The keys the edge signs with; the guard holds forms to them as S3 holds forms to IAM keys. */
  readonly credentials: GuardCredentials;
  readonly region: string;
  /** Origins allowed to POST from a browser (an entry may hold one `*`). */
  readonly allowedOrigins: readonly string[];
  /** @default an S3rverObjectStore on s3rverEndpoint */
  readonly store?: ObjectStore;
  /** Where uploads wait while they stream in. @default a fresh folder under the OS temp dir, removed on close */
  readonly tempDirectory?: string;
  /**
   * Where multipart uploads in progress keep their parts; kept across
   * restarts, as S3 keeps an upload until it is completed or aborted.
   * @default a `multipart` folder under tempDirectory
   */
  readonly multipartDirectory?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * The AWS bucket policy and the edge role, as far as the guard models them
   * (object-tags.ts): GetObject/HeadObject of an unverified upload or a
   * quarantined object is 403 AccessDenied, except when signed with
   * `exemptCredentials` (the inspector's own key, as its role is exempt on
   * AWS); and a request signed with the edge's key may not tag, nor write
   * outside `uploadPrefix` (delete: outside it and `quarantinePrefix`).
   * Requests signed with the inspector's key are verified like any other.
   * @default no rule: every signed request is passed on
   */
  readonly readRule?: ReadRule & { readonly exemptCredentials: GuardCredentials };
  /** Every answered upload and proxy failure. @default unexpected errors to stderr, nothing else */
  readonly log?: (entry: GuardLogEntry) => void;
}

export interface GuardLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bucket?: string;
  readonly key?: string;
  /** The refusal, or the unexpected failure in full. */
  readonly error?: unknown;
}

export interface PostPolicyGuard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The most parts a form may have; S3's 20 KB pre-data limit stops far fewer. */
const MAX_FORM_PARTS = 1000;
/** Field names are short; a long one counts toward the pre-data limit anyway. */
const MAX_FIELD_NAME_BYTES = 1024;

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

export async function startPostPolicyGuard(options: PostPolicyGuardOptions): Promise<PostPolicyGuard> {
  const ownTemp = options.tempDirectory === undefined;
  const tempDirectory = options.tempDirectory ?? (await mkdtemp(join(tmpdir(), 'edge-upload-guard-')));
  const store = options.store ?? new S3rverObjectStore(options.s3rverEndpoint);
  const proxyAgent = new Agent({ keepAlive: true });
  const server = createServer(createPostPolicyGuardHandler({ ...options, store, tempDirectory, proxyAgent }));
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      proxyAgent.destroy();
      if (store instanceof S3rverObjectStore && options.store === undefined) store.close();
      if (ownTemp) await rm(tempDirectory, { recursive: true, force: true });
    },
  };
}

export type PostPolicyGuardHandlerOptions = PostPolicyGuardOptions & {
  readonly store: ObjectStore;
  readonly tempDirectory: string;
  /** Connections to s3rver for proxied calls. @default a keep-alive agent of the handler's own */
  readonly proxyAgent?: Agent;
};

/** The request listener alone, for tests that drive it without s3rver. */
export function createPostPolicyGuardHandler(options: PostPolicyGuardHandlerOptions): RequestListener {
  const upstream = new URL(options.s3rverEndpoint);
  const agent = options.proxyAgent ?? new Agent({ keepAlive: true });
  const log = options.log ?? logUnexpected;
  const policyConfig: GuardPolicyConfig = { credentials: options.credentials, region: options.region };
  const clock = options.clock ?? (() => new Date());
  const verifier = new RequestVerifiers(options);
  const multipart = new MultipartStore(options.multipartDirectory ?? join(options.tempDirectory, 'multipart'));

  return (req, res) => {
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const context: RequestContext = { req, res, requestId, method, path: rawUrl.split('?')[0] ?? '/', log, cors: {} };
    try {
      const target = parseTarget(rawUrl);
      if (method === 'OPTIONS' && target.bucket !== '' && header(req, 'access-control-request-method') !== undefined) {
        const headers = preflightHeaders(
          {
            origin: header(req, 'origin'),
            method: header(req, 'access-control-request-method'),
            requestHeaders: header(req, 'access-control-request-headers'),
          },
          options.allowedOrigins,
        );
        res.writeHead(200, { ...headers, 'Content-Length': '0', 'x-amz-request-id': requestId });
        res.end();
        return;
      }
      // Every form POST to a bucket is an upload and is checked, whatever the
      // query string: s3rver itself would accept any form unsigned.
      const formUpload = target.query === '' || isMultipartFormData(header(req, 'content-type'));
      if (method === 'POST' && target.bucket !== '' && target.key === '' && formUpload) {
        context.cors = corsHeaders(header(req, 'origin'), options.allowedOrigins);
        void handleUpload(context, target.bucket, { ...options, policyConfig, clock });
        return;
      }
      const operation = multipartOperation(method, target);
      if (operation !== undefined) {
        context.cors = corsHeaders(header(req, 'origin'), options.allowedOrigins);
        void handleMultipart(context, target, operation, {
          verifier,
          clock,
          tempDirectory: options.tempDirectory,
          store: options.store,
          multipart,
          readRule: options.readRule,
        });
        return;
      }
      void proxy(context, target, { upstream, agent, verifier, clock, tempDirectory: options.tempDirectory, readRule: options.readRule });
    } catch (error) {
      sendError(context, error);
    }
  };
}

interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly log: (entry: GuardLogEntry) => void;
  cors: Record<string, string>;
}

interface Target {
  readonly bucket: string;
  readonly key: string;
  readonly query: string;
}

/**
 * Bucket and key of a path-style URL. Dot segments are refused outright:
 * s3rver maps keys to files, and "/bucket/../x" would step outside it.
 */
function parseTarget(rawUrl: string): Target {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
  if (!path.startsWith('/')) throw new InvalidArgumentError('The request path must start with /.');
  // Decode first, then split: s3rver decodes the whole path and joins it onto
  // its folder, so an encoded "..%2F" must count as a dot segment too.
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new InvalidArgumentError('The request path is not valid percent-encoded UTF-8.');
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((segment) => segment === '.' || segment === '..')) {
    throw new InvalidArgumentError('The local object store refuses "." and ".." path segments.');
  }
  const [bucket = '', ...keySegments] = decoded.slice(1).split('/');
  return { bucket, key: keySegments.join('/'), query };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// ---- browser uploads ----------------------------------------------------

type UploadOptions = PostPolicyGuardHandlerOptions & { readonly policyConfig: GuardPolicyConfig; readonly clock: () => Date };

async function handleUpload(context: RequestContext, bucket: string, options: UploadOptions): Promise<void> {
  const { req } = context;
  let settled = false;
  let tempPath: string | undefined;
  let fileWritten: Promise<void> | undefined;
  let parser: busboy.Busboy | undefined;

  const removeTemp = async (): Promise<void> => {
    await fileWritten?.catch(() => undefined);
    if (tempPath !== undefined) await rm(tempPath, { force: true });
  };
  /** Refuses once: answers, stops parsing, drains what the client still sends, forgets the file. */
  const refuse = (error: unknown, extra?: Partial<GuardLogEntry>): void => {
    if (settled) return;
    settled = true;
    if (parser !== undefined) {
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
    }
    req.resume();
    sendError(context, error, { bucket, ...extra });
    void removeTemp();
  };

  try {
    if (!isMultipartFormData(header(req, 'content-type'))) {
      throw new PreconditionFailedError('Bucket POST must be of the enclosure-type multipart/form-data');
    }
    if (!(await options.store.bucketExists(bucket))) throw new NoSuchBucketError(bucket);
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      defParamCharset: 'utf8',
      // Field values arrive as latin1 so their bytes can be recovered exactly
      // (a text part named "file" is the object's content); they are read as
      // UTF-8 below, as S3 reads forms.
      defCharset: 'latin1',
      limits: { fieldSize: MAX_PRE_DATA_BYTES + 1, fieldNameSize: MAX_FIELD_NAME_BYTES, parts: MAX_FORM_PARTS },
    });
  } catch (error) {
    // busboy throws on a content type it cannot read (no boundary, ...).
    refuse(error instanceof PostGuardError ? error : new MalformedPostRequestError());
    return;
  }

  const fields = new FormFields();
  let phase: 'fields' | 'file' = 'fields';
  let upload: AuthorizedUpload | undefined;
  let size = 0;
  // Parts are handled strictly in order, even when one needs to be read asynchronously.
  let queue: Promise<void> = Promise.resolve();
  const inOrder = (task: () => void | Promise<void>): void => {
    queue = queue
      .then(async () => {
        if (!settled) await task();
      })
      .catch((error: unknown) => refuse(error, upload === undefined ? {} : { key: upload.key }));
  };

  const startFile = (filename: string | undefined, stream: Readable): void => {
    phase = 'file';
    const authorized = authorizePost({ bucket, fields, filename, now: options.clock() }, options.policyConfig);
    // Forms are signed by the edge's key only: held to its role like its other writes.
    if (options.readRule !== undefined)
      checkEdgeAccess(
        { method: 'POST', key: authorized.key, forwardQuery: '', setsTags: (fields.get('tagging') ?? '') !== '' },
        options.readRule,
      );
    upload = authorized;
    tempPath = join(options.tempDirectory, randomUUID());
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        // Cut the upload off as soon as it is too large; nothing more is kept.
        if (size > authorized.maxSize) callback(new EntityTooLargeError(authorized.maxSize));
        else callback(null, chunk);
      },
    });
    fileWritten = pipeline(stream, counter, createWriteStream(tempPath, { flags: 'wx' }));
    fileWritten.catch((error: unknown) =>
      refuse(error instanceof PostGuardError ? error : new MalformedPostRequestError(), { key: authorized.key }),
    );
  };

  // busboy gives no name (undefined, despite its types) for a part without one; S3 would see "".
  parser.on('field', (rawName: string | undefined, value, info) => {
    const name = rawName ?? '';
    inOrder(() => {
      if (phase !== 'fields') return; // S3 ignores fields after the file
      if (info.nameTruncated || info.valueTruncated) throw new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES);
      const bytes = Buffer.from(value, 'latin1');
      // A plain text part named "file" is the file's content.
      if (name.toLowerCase() === FILE_FIELD) startFile(undefined, Readable.from([bytes]));
      else fields.add(name, bytes.toString('utf8'));
    });
  });
  parser.on('file', (rawName: string | undefined, stream, info) => {
    const name = rawName ?? '';
    // Whoever reads the stream handles its failure; until then (and if the
    // request is refused first) an error on it must not go unheard.
    stream.on('error', () => undefined);
    inOrder(async () => {
      if (phase !== 'fields') {
        stream.resume();
        return;
      }
      if (name.toLowerCase() === FILE_FIELD) {
        startFile(info.filename, stream);
        return;
      }
      // A file part under another name is an ordinary field whose value is its content.
      fields.add(name, await readFieldValue(stream, MAX_PRE_DATA_BYTES - fields.size));
    });
  });
  parser.on('partsLimit', () => refuse(new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES)));
  parser.on('error', () => refuse(new MalformedPostRequestError()));
  parser.on('finish', () => {
    inOrder(async () => {
      if (upload === undefined || fileWritten === undefined) throw new IncorrectNumberOfFilesError();
      await fileWritten;
      if (settled) return;
      checkFileSize(upload, size);
      const path = tempPath as string;
      const { etag } = await options.store.putObject({ bucket, key: upload.key, headers: upload.metadata.headers, file: { path, size } });
      if (settled) return;
      settled = true;
      sendSuccess(context, upload, etag);
      await removeTemp();
    });
  });
  req.on('close', () => {
    // The client went away mid-upload: nothing to answer, nothing to keep.
    if (!req.complete && !settled) {
      settled = true;
      parser?.destroy();
      void removeTemp();
    }
  });
  req.pipe(parser);
}

function isMultipartFormData(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data\s*(;|$)/i.test(contentType.trim());
}

async function readFieldValue(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) {
      stream.resume();
      throw new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendSuccess(context: RequestContext, upload: AuthorizedUpload, etag: string): void {
  const { req, res, requestId } = context;
  const location = `${publicBaseUrl(req)}${objectPath(upload.bucket, upload.key)}`;
  const headers: Record<string, string> = {
    ...context.cors,
    ...upload.metadata.encryption,
    ETag: etag,
    Location: location,
    'x-amz-request-id': requestId,
  };
  let status: number;
  let body = '';
  if (upload.success.kind === 'redirect') {
    const url = upload.success.url;
    const query = `bucket=${encodeURIComponent(upload.bucket)}&key=${encodeURIComponent(upload.key)}&etag=${encodeURIComponent(etag)}`;
    status = 303;
    headers.Location = `${url}${url.includes('?') ? '&' : '?'}${query}`;
  } else {
    status = upload.success.status;
    if (status === 201) {
      body = postResponseXml({ location, bucket: upload.bucket, key: upload.key, etag });
      headers['Content-Type'] = 'application/xml';
    }
  }
  if (status !== 204) headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
  context.log({ requestId, method: context.method, path: context.path, status, bucket: upload.bucket, key: upload.key });
}

/** Where this guard was reached, for Location: the Host the client used when it is a plain host[:port]. */
function publicBaseUrl(req: IncomingMessage): string {
  const host = header(req, 'host');
  const local = req.socket.localAddress ?? '127.0.0.1';
  const fallback = `${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 80}`;
  return `http://${host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : fallback}`;
}

function sendError(context: RequestContext, error: unknown, extra: Partial<GuardLogEntry> = {}): void {
  const { res, requestId } = context;
  const response = errorResponse(error, requestId);
  context.log({ requestId, method: context.method, path: context.path, status: response.status, error, ...extra });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(response.status, { ...context.cors, ...response.headers, 'Content-Length': String(Buffer.byteLength(response.body)) });
  res.end(response.body);
}

function logUnexpected(entry: GuardLogEntry): void {
  if (entry.error !== undefined && !(entry.error instanceof PostGuardError)) {
    console.error(`[post-policy-guard] ${entry.requestId} ${entry.method} ${entry.path}: unexpected failure`, entry.error);
  }
}

// ---- everything else: verified, then to s3rver and back --------------------

interface ProxyOptions {
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
class RequestVerifiers {
  private readonly main: RequestSignatureVerifier;
  private readonly exempt: { readonly accessKeyId: string; readonly verifier: RequestSignatureVerifier } | undefined;

  constructor(options: Pick<PostPolicyGuardOptions, 'credentials' | 'region' | 'readRule'>) {
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
async function proxy(context: RequestContext, target: Target, options: ProxyOptions): Promise<void> {
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
function withQueryChecksums(headers: IncomingHttpHeaders, forwardQuery: string): IncomingHttpHeaders {
  const hoisted: IncomingHttpHeaders = {};
  for (const [name, value] of new URLSearchParams(forwardQuery)) {
    const lower = name.toLowerCase();
    if (/^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/.test(lower)) hoisted[lower] = value;
  }
  return { ...hoisted, ...headers };
}

function hasBody(req: IncomingMessage): boolean {
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

// ---- multipart uploads: S3's five calls, here rather than in s3rver ---------

type MultipartOperation = 'create' | 'part' | 'complete' | 'list' | 'abort';

/** Which multipart call a request is, by method and subresource (`?uploads`, `?uploadId=`); undefined for any other request. */
function multipartOperation(method: string, target: Target): MultipartOperation | undefined {
  if (target.bucket === '' || target.key === '' || target.query === '') return undefined;
  const names = new Set(target.query.split('&').map((part) => part.split('=')[0] ?? ''));
  if (names.has('uploads') && method === 'POST') return 'create';
  if (!names.has('uploadId')) return undefined;
  if (method === 'PUT' && names.has('partNumber')) return 'part';
  if (method === 'POST') return 'complete';
  if (method === 'GET') return 'list';
  if (method === 'DELETE') return 'abort';
  return undefined;
}

interface MultipartOptions {
  readonly readRule: ReadRule | undefined;
  readonly verifier: RequestVerifiers;
  readonly clock: () => Date;
  readonly tempDirectory: string;
  readonly store: ObjectStore;
  readonly multipart: MultipartStore;
}

/** What a create request asks S3 to store with the object: the headers a form would carry as fields. */
const CREATE_HEADERS =
  /^(content-type|cache-control|content-disposition|content-encoding|expires|x-amz-website-redirect-location|x-amz-storage-class|x-amz-meta-.+|x-amz-server-side-encryption(-.+)?)$/;

async function handleMultipart(
  context: RequestContext,
  target: Target,
  operation: MultipartOperation,
  options: MultipartOptions,
): Promise<void> {
  const { req } = context;
  const temps: string[] = [];
  try {
    let verified: VerifiedRequest & { readonly exempt: boolean };
    try {
      verified = await options.verifier.verify({
        method: context.method,
        rawPath: context.path,
        rawQuery: target.query,
        headers: req.headers,
        now: options.clock(),
      });
      if (options.readRule !== undefined && !verified.exempt) {
        checkEdgeAccess(
          {
            method: context.method,
            key: target.key,
            forwardQuery: verified.forwardQuery,
            setsTags: (header(req, 'x-amz-tagging') ?? '') !== '',
          },
          options.readRule,
        );
      }
      if (hasBody(req)) contentMd5Of(req.headers);
      if (header(req, 'x-amz-copy-source') !== undefined)
        throw new NotImplementedError('UploadPartCopy is not implemented by the local S3 stand-in', 'x-amz-copy-source');
    } catch (error) {
      req.resume();
      throw error;
    }
    const query = new URLSearchParams(verified.forwardQuery);
    const uploadId = query.get('uploadId') ?? '';
    const answer = (status: number, headers: Record<string, string>, body = ''): void => {
      const all: Record<string, string> = { ...context.cors, ...headers, 'x-amz-request-id': context.requestId };
      if (body !== '') all['Content-Type'] = 'application/xml';
      all['Content-Length'] = String(Buffer.byteLength(body));
      context.res.writeHead(status, all);
      context.res.end(body);
      context.log({
        requestId: context.requestId,
        method: context.method,
        path: context.path,
        status,
        bucket: target.bucket,
        key: target.key,
      });
    };

    if (operation === 'part') {
      const partNumber = parsePartNumber(query.get('partNumber') ?? undefined);
      const upload = await options.multipart.get(uploadId, target.bucket, target.key).catch((error: unknown) => {
        req.resume();
        throw error;
      });
      const incoming = options.multipart.incomingPath(uploadId, randomUUID());
      temps.push(incoming);
      let body: SpooledBody;
      try {
        body = await spoolBody(req, incoming, {
          payload: verified.payload,
          headers: withQueryChecksums(req.headers, verified.forwardQuery),
        });
      } catch (error) {
        // Aborted (or completed) while the part streamed in: the folder is gone.
        await options.multipart.get(uploadId, target.bucket, target.key);
        throw error;
      }
      const declared = header(req, 'content-length');
      if (header(req, 'transfer-encoding') === undefined && declared !== undefined && declared !== String(body.size))
        throw new IncompleteBodyError();
      if (body.size > MAX_PART_SIZE) throw new EntityTooLargeError(MAX_PART_SIZE, body.size);
      await options.multipart.putPart(
        uploadId,
        { partNumber, md5: body.md5, size: body.size, lastModified: options.clock().toISOString() },
        incoming,
      );
      answer(200, { ...upload.encryption, ETag: `"${body.md5}"` });
      return;
    }

    if (operation === 'complete') {
      const upload = await options.multipart.get(uploadId, target.bucket, target.key).catch((error: unknown) => {
        req.resume();
        throw error;
      });
      const declared = Number(header(req, 'content-length') ?? '0');
      if (declared > MAX_COMPLETE_BODY_BYTES) {
        req.resume();
        throw new EntityTooLargeError(MAX_COMPLETE_BODY_BYTES, declared);
      }
      const path = join(options.tempDirectory, randomUUID());
      temps.push(path);
      const body = await spoolBody(req, path, { payload: verified.payload, headers: req.headers });
      if (body.size > MAX_COMPLETE_BODY_BYTES) throw new EntityTooLargeError(MAX_COMPLETE_BODY_BYTES, body.size);
      const requested = parseCompleteRequest(await readFile(path, 'utf8'));
      const plan = planCompletion(uploadId, requested, await options.multipart.parts(uploadId));
      if (options.store.putObjectStream === undefined) throw new NotImplementedError('This object store cannot complete multipart uploads');
      await options.store.putObjectStream({
        bucket: target.bucket,
        key: target.key,
        headers: { ...upload.headers, [MULTIPART_ETAG_METADATA]: plan.etag },
        content: { stream: options.multipart.concatenated(uploadId, plan.parts), size: plan.size },
      });
      await options.multipart.remove(uploadId);
      answer(
        200,
        upload.encryption,
        completeResultXml(`${publicBaseUrl(req)}${objectPath(target.bucket, target.key)}`, target.bucket, target.key, plan.etag),
      );
      return;
    }

    // create, list and abort carry no body.
    req.resume();
    if (operation === 'create') {
      if (!(await options.store.bucketExists(target.bucket))) throw new NoSuchBucketError(target.bucket);
      const fields = new FormFields();
      for (const [name, value] of Object.entries(req.headers)) {
        if (CREATE_HEADERS.test(name) && value !== undefined) fields.add(name, Array.isArray(value) ? value.join(',') : value);
      }
      const metadata = objectMetadataFromForm(fields);
      const upload = await options.multipart.create(
        {
          bucket: target.bucket,
          key: target.key,
          headers: metadata.headers,
          encryption: metadata.encryption,
          storageClass: fields.get('x-amz-storage-class') ?? 'STANDARD',
        },
        options.clock(),
      );
      answer(200, { ...metadata.encryption }, initiateResultXml(target.bucket, target.key, upload.uploadId));
      return;
    }
    const upload = await options.multipart.get(uploadId, target.bucket, target.key);
    if (operation === 'list') {
      const paging = parseListPartsQuery(query.get('max-parts') ?? undefined, query.get('part-number-marker') ?? undefined);
      const parts = [...(await options.multipart.parts(uploadId)).values()];
      const owner = { id: 'edge-upload-local', displayName: 'edge-upload-local' };
      answer(
        200,
        { ...upload.encryption },
        listPartsXml({ bucket: target.bucket, key: target.key, uploadId, ...paging, storageClass: upload.storageClass, owner, parts }),
      );
      return;
    }
    await options.multipart.remove(uploadId);
    answer(204, {});
  } catch (error) {
    // Spooled bytes go before the refusal does: a client that sees the error finds nothing kept.
    for (const path of temps.splice(0)) await rm(path, { force: true });
    sendError(context, error, { bucket: target.bucket, key: target.key });
  } finally {
    for (const path of temps) await rm(path, { force: true });
  }
}
