/**
 * The POST-policy guard's HTTP server: S3's checks in front of s3rver
 * (docs/local-stack.md), on node:http. It answers every CORS preflight
 * itself (cors.ts) and hands every other request to one of three families:
 *
 * - `POST /<bucket>` with a multipart/form-data body is a browser upload
 *   (form-upload.ts);
 * - the five multipart calls (create, upload part, complete, list parts,
 *   abort) are S3 here, not in s3rver (multipart-requests.ts);
 * - every other request is verified, then streamed to s3rver and back
 *   (signed-request-proxy.ts).
 *
 * With a `readRule`, every request is first held to what the AWS bucket
 * policy and the edge role allow (object-tags.ts): reads of unverified or
 * quarantined objects, and the edge key's tagging and writes outside the
 * upload prefix, are refused before any body is read.
 */
import { listen } from '../listen';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, type RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuardPolicyConfig } from './authorize-post';
import { corsHeaders, preflightHeaders } from './cors';
import { InvalidArgumentError, PostGuardError } from './errors';
import { handleUpload, isMultipartFormData } from './form-upload';
import { handleMultipart, multipartOperation } from './multipart-requests';
import { MultipartStore } from './multipart-store';
import { S3rverObjectStore, type ObjectStore } from './object-store';
import type { ReadRule } from './object-tags';
import type { GuardCredentials } from './policy-signature';
import { header, sendError, type GuardLogEntry, type RequestContext, type Target } from './request-context';
import { newRequestId } from './s3-xml';
import { proxy, RequestVerifiers } from './signed-request-proxy';

export type { GuardLogEntry } from './request-context';

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

export interface PostPolicyGuard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

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

function logUnexpected(entry: GuardLogEntry): void {
  if (entry.error !== undefined && !(entry.error instanceof PostGuardError)) {
    console.error(`[post-policy-guard] ${entry.requestId} ${entry.method} ${entry.path}: unexpected failure`, entry.error);
  }
}
