/**
 * The reference for `npm run bench`: the `/presign` viewer-request handler
 * written the straightforward way, with aws-jwt-verify's CognitoJwtVerifier
 * (JWKS preloaded with cacheJwks) and `createPresignedPost` from
 * @aws-sdk/s3-presigned-post on an S3Client with Transfer Acceleration.
 *
 * It is never deployed. It takes the same config.json and the same requests
 * as the edge bundle and answers the same 200 shape, and it shares the parts
 * that are not in question (config check, upload rules, body validation, key
 * naming, error mapping), so the comparison isolates what the edge does
 * differently: its own verifier wrapper and its own SigV4 POST signer in
 * place of the SDK.
 *
 * `/presign/multipart/parts` likewise: the same ticket check (the edge core),
 * then `getSignedUrl` from @aws-sdk/s3-request-presigner for each part URL
 * and the complete, list and abort URLs, in place of the edge's query signer.
 * `/presign/multipart` (not timed: it only mints the ticket the parts route
 * needs) is the edge core itself.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsFromEnv, parseEdgeConfig } from '../../edge-functions/core/edge-config';
import { startMultipart } from '../../edge-functions/core/multipart';
import { verifyTicket } from '../../edge-functions/core/multipart-ticket';
import { partLength } from '../../edge-functions/core/part-plan';
import { InvalidRequestError, MethodNotAllowedError, UnauthorizedError } from '../../edge-functions/core/errors';
import { errorResponse, jsonResponse, type HttpResponse } from '../../edge-functions/core/http-response';
import { buildObjectKey, newUploadId } from '../../edge-functions/core/object-key';
import { parsePresignBody } from '../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES } from '../../edge-functions/core/upload-rules';
import { toCloudFrontResponse } from '../../edge-functions/presign/handler';

const config = parseEdgeConfig(
  JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8')),
  DEFAULT_UPLOAD_RULES.policyTtlSeconds,
  DEFAULT_UPLOAD_RULES.partUrlTtlSeconds,
);

// https://cognito-idp.<region>.amazonaws.com/<userPoolId>
const userPoolId = config.issuer.slice(config.issuer.lastIndexOf('/') + 1);
const verifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: 'access', clientId: [...config.clientIds] });
verifier.cacheJwks({ keys: config.jwks.keys.map((key) => ({ ...key })) });

// Credentials come from the SDK's default provider chain (the Lambda environment variables).
const s3 = new S3Client({ region: config.region, useAccelerateEndpoint: true });
// The same client for presigned URLs, without a CRC32 of an empty body in every UploadPart URL.
const s3Urls = new S3Client({ region: config.region, useAccelerateEndpoint: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

export async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontResultResponse> {
  const started = process.hrtime.bigint();
  let response: HttpResponse;
  const uri = event.Records[0]!.cf.request.uri;
  try {
    response =
      uri === '/presign/multipart' ? await start(event) : uri === '/presign/multipart/parts' ? await parts(event) : await presign(event);
  } catch (error) {
    response = errorResponse(error);
  }
  console.log(JSON.stringify({ route: uri, status: response.status, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 }));
  return toCloudFrontResponse(response);
}

async function presign(event: CloudFrontRequestEvent): Promise<HttpResponse> {
  const { sub, body } = await verified(event);
  const files = parsePresignBody(body, DEFAULT_UPLOAD_RULES);

  const now = new Date();
  const expiresAt = new Date(now.getTime() + config.policyTtlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const uploads = await Promise.all(
    files.map(async (file) => {
      const id = file.id ?? newUploadId();
      const key = buildObjectKey({ prefix: DEFAULT_UPLOAD_RULES.keyPrefix, sub, now, id, safeName: file.safeName });
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: config.bucket,
        Key: key,
        Conditions: [['content-length-range', file.size, file.size]],
        Fields: {
          'Content-Type': file.type,
          'x-amz-meta-userid': sub,
          success_action_status: '201',
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': config.kmsKeyId,
        },
        Expires: config.policyTtlSeconds,
      });
      return { id, key, url, fields, expiresAt };
    }),
  );
  return jsonResponse(200, { uploads });
}

async function start(event: CloudFrontRequestEvent): Promise<HttpResponse> {
  const { sub, body } = await verified(event);
  return startMultipart(
    body,
    { sub },
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      verifier: { verify: () => Promise.resolve({ sub }) },
      credentials: () => credentialsFromEnv(process.env),
      now: () => new Date(),
      newId: newUploadId,
    },
  );
}

async function parts(event: CloudFrontRequestEvent): Promise<HttpResponse> {
  const { sub, body } = await verified(event);
  const input = JSON.parse(body) as { key: string; uploadId: string; ticket: string; parts: { partNumber: number; md5?: string }[] };
  const { key, uploadId } = input;
  const now = new Date();
  const plan = verifyTicket(input.ticket, { sub, key, now }, config.multipartTicketKeys);
  const options = { expiresIn: config.partUrlTtlSeconds, signingDate: now };
  const Bucket = config.bucket;
  const signed = await Promise.all(
    input.parts.map(async ({ partNumber, md5 }) => {
      const size = partLength(plan, partNumber);
      const command = new UploadPartCommand({
        Bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ContentLength: size,
        ...(md5 === undefined ? {} : { ContentMD5: md5 }),
      });
      return {
        partNumber,
        size,
        url: await getSignedUrl(s3Urls, command, options),
        headers: md5 === undefined ? {} : { 'Content-MD5': md5 },
      };
    }),
  );
  const [complete, list, abort] = await Promise.all([
    getSignedUrl(s3Urls, new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }), options),
    getSignedUrl(s3Urls, new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId }), options),
    getSignedUrl(s3Urls, new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }), options),
  ]);
  return jsonResponse(200, {
    parts: signed,
    complete: { method: 'POST', url: complete },
    list: { method: 'GET', url: list },
    abort: { method: 'DELETE', url: abort },
    expiresAt: new Date(now.getTime() + config.partUrlTtlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
}

async function verified(event: CloudFrontRequestEvent): Promise<{ sub: string; body: string }> {
  const request = event.Records[0]!.cf.request;
  if (request.method !== 'POST') throw new MethodNotAllowedError(request.method, ['POST']);

  const authorization = request.headers.authorization?.[0]?.value ?? '';
  if (!authorization.startsWith('Bearer ')) throw new UnauthorizedError('no bearer token');
  let sub: string;
  try {
    ({ sub } = await verifier.verify(authorization.slice('Bearer '.length)));
  } catch (error) {
    throw new UnauthorizedError(error instanceof Error ? error.name : 'invalid token');
  }

  if (request.body?.inputTruncated === true) throw new InvalidRequestError('The request body is too large and was cut short.');
  const data = request.body?.data ?? '';
  return { sub, body: request.body?.encoding === 'base64' ? Buffer.from(data, 'base64').toString('utf8') : data };
}
