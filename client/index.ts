/**
 * edge-upload/client: browser uploads through the edge, for any app whose
 * users have a Cognito access token of a client id the edge trusts and whose
 * origin is in the edge's allowedOrigins (docs/http-api.md). No framework,
 * no runtime dependency; the site (site/) is built on the same modules.
 *
 *   const uploader = createUploader({ edgeUrl: 'https://uploads.example.com', getToken });
 *   const { key } = await uploader.upload(file, { onProgress, signal });
 *
 * The upload rules (types, sizes) are those of this build's
 * edge-functions/upload-rules.yaml, compiled in: a file the edge would refuse
 * is refused here first, with no request.
 */
import { DEFAULT_UPLOAD_RULES, type UploadRules } from '../edge-functions/core/upload-rules';
import { tokensFrom, type GetToken } from './core/access-token';
import type { MultipartStore } from './core/multipart-store';
import { MemoryMultipartStore } from './core/multipart-store';
import type { Md5Hasher } from './core/upload-queue';
import { uploaderWith, type Uploader } from './core/uploader';
import { edgeBaseUrl, type Edge } from './net/edge';
import { filesApiWith } from './net/files-api';
import { Md5WorkerClient } from './net/md5-worker-client';
import { multipartSignerWith } from './net/multipart-api';
import { IndexedDbMultipartStore } from './net/multipart-store-idb';
import { presignWith } from './net/presign-api';
import { postFormWithXhr } from './net/s3-form-post';
import { sendS3Request } from './net/s3-request';

export interface UploaderOptions {
  /** The edge's base URL, e.g. `https://uploads.example.com` ('' for the page's own origin). */
  readonly edgeUrl: string;
  /** The user's access token; `forceRefresh` is true after the edge refused the last one (401): refresh it. */
  readonly getToken: GetToken;
  /** For the JSON calls to the edge and the "your files" reads from S3; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /**
   * Where unfinished multipart uploads are kept, to resume after a reload: IndexedDB by default
   * (database `edge-upload`); `'memory'` keeps them for this page only.
   */
  readonly storage?: MultipartStore | 'memory';
  /** Base64 MD5 of a file range; by default computed in the MD5 worker (`md5WorkerUrl`). */
  readonly md5?: Md5Hasher<File>;
  /**
   * The worker script (dist/client/md5-worker.js of the package), served from the page's own origin,
   * since a CSP's script-src governs workers. Default: md5-worker.js next to this module
   * (`new URL('./md5-worker.js', import.meta.url)`), which bundlers that copy assets referenced
   * that way (Vite, webpack 5, esbuild with a loader) and a plain ES-module import both resolve.
   */
  readonly md5WorkerUrl?: string | URL;
  /** Rules to check files against before any request; the ones compiled into this build otherwise. */
  readonly rules?: UploadRules;
}

export function createUploader(options: UploaderOptions): Uploader {
  const edge: Edge = {
    baseUrl: edgeBaseUrl(options.edgeUrl),
    tokens: tokensFrom(options.getToken),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  let hasher: Md5WorkerClient | undefined;
  let md5Of = options.md5;
  if (md5Of === undefined) {
    hasher = new Md5WorkerClient(options.md5WorkerUrl ?? defaultWorkerUrl());
    md5Of = hasher.md5Of;
  }
  const store =
    options.storage === undefined
      ? new IndexedDbMultipartStore()
      : options.storage === 'memory'
        ? new MemoryMultipartStore()
        : options.storage;
  const core = uploaderWith<File>({
    rules: options.rules ?? DEFAULT_UPLOAD_RULES,
    presign: presignWith(edge),
    post: postFormWithXhr,
    md5Of,
    multipart: { ...multipartSignerWith(edge), send: sendS3Request, store },
    files: filesApiWith(edge),
    dispose: () => hasher?.dispose(),
  });
  return core;
}

function defaultWorkerUrl(): URL {
  return new URL('./md5-worker.js', import.meta.url);
}

export type { GetToken, GetTokenOptions } from './core/access-token';
export type { FileAccess, ListedObject, SignedUrl } from './core/files-contract';
export type { MultipartRecord, MultipartStore, UnfinishedFile } from './core/multipart-store';
export type { Md5Hasher } from './core/upload-queue';
export type { FilesPage, ListFilesOptions, Uploader, UploadOptions, UploadResult } from './core/uploader';
export type { UploadRules } from '../edge-functions/core/upload-rules';
export {
  AbortedError,
  ApiError,
  FileReadError,
  FileRejectedError,
  messageFor,
  MultipartError,
  NetworkError,
  S3ServiceError,
  SessionExpiredError,
  SiteError as UploadError,
  UnexpectedResponseError,
} from './core/errors';
export { MemoryMultipartStore } from './core/multipart-store';
export { rejectionText } from './core/files-contract';
