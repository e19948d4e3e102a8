/**
 * Multipart uploads (create, upload part, complete, list parts, abort): S3
 * here, not in s3rver (which lacks list and abort). Verified like any signed
 * request (signed-request-proxy.ts), parts kept on disk (multipart-store.ts),
 * checked and concatenated into s3rver by streaming on complete
 * (multipart-upload.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EntityTooLargeError, IncompleteBodyError, NoSuchBucketError, NotImplementedError } from './errors';
import { FormFields } from './form-fields';
import type { MultipartStore } from './multipart-store';
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
import { MULTIPART_ETAG_METADATA, objectMetadataFromForm } from './object-metadata';
import { objectPath, type ObjectStore } from './object-store';
import { checkEdgeAccess, type ReadRule } from './object-tags';
import { contentMd5Of, spoolBody, type SpooledBody } from './request-body';
import { header, publicBaseUrl, sendError, type RequestContext, type Target } from './request-context';
import type { VerifiedRequest } from './request-signature';
import { hasBody, withQueryChecksums, type RequestVerifiers } from './signed-request-proxy';

export type MultipartOperation = 'create' | 'part' | 'complete' | 'list' | 'abort';

/** Which multipart call a request is, by method and subresource (`?uploads`, `?uploadId=`); undefined for any other request. */
export function multipartOperation(method: string, target: Target): MultipartOperation | undefined {
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

export interface MultipartOptions {
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

export async function handleMultipart(
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
      for (const spooled of temps.splice(0)) await rm(spooled, { force: true });
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
