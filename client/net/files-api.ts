/**
 * "Your files" over the network: POST /presign/files and /presign/files/access
 * with an access token (a 401 gets one fresh token, as for /presign),
 * and the signed S3 requests themselves over fetch (no credentials: the
 * signature in the URL is the authorization).
 */
import { AbortedError, NetworkError } from '../core/errors';
import { parseFilesAccess, parseFilesListing, type SignedUrl } from '../core/files-contract';
import type { FilesApi, S3TextAnswer } from '../core/your-files';
import { postAuthorized, type Edge } from './edge';
import { NO_STORE } from './http';

export function filesApiWith(edge: Edge): FilesApi {
  const send = (request: SignedUrl, signal: AbortSignal) => sendSigned(request, signal, edge.fetch);
  return {
    listing: async (continuationToken, signal) => {
      const answer = await postAuthorized(edge, '/presign/files', continuationToken === undefined ? {} : { continuationToken }, signal);
      return parseFilesListing(answer.status, answer.body);
    },
    access: async (keys, signal) => {
      const answer = await postAuthorized(edge, '/presign/files/access', { keys }, signal);
      return parseFilesAccess(answer.status, answer.body, keys);
    },
    send,
  };
}

export async function sendSigned(request: SignedUrl, signal: AbortSignal, fetchWith: typeof fetch = fetch): Promise<S3TextAnswer> {
  try {
    const response = await fetchWith(request.url, { method: request.method, credentials: 'omit', ...NO_STORE, signal });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if (signal.aborted) throw new AbortedError();
    throw new NetworkError('The connection to the storage service failed.', { cause: error });
  }
}
