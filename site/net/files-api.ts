/**
 * "Your files" over the network: POST /presign/files and /presign/files/access
 * with the session's access token (a 401 gets one refresh, as for /presign),
 * and the signed S3 requests themselves over fetch (no credentials: the
 * signature in the URL is the authorization).
 */
import { AbortedError, NetworkError } from '../core/errors';
import { parseFilesAccess, parseFilesListing, type SignedUrl } from '../core/files-contract';
import type { Session } from '../core/session';
import type { FilesApi, S3TextAnswer } from '../core/your-files';
import { postJson } from './http';

export function filesApiWith(session: Session): FilesApi {
  return {
    listing: (continuationToken, signal) =>
      session.withAccessToken(async (accessToken) => {
        const answer = await postJson('/presign/files', {
          body: continuationToken === undefined ? {} : { continuationToken },
          headers: { Authorization: `Bearer ${accessToken}` },
          signal,
        });
        return parseFilesListing(answer.status, answer.body);
      }),
    access: (keys, signal) =>
      session.withAccessToken(async (accessToken) => {
        const answer = await postJson('/presign/files/access', { body: { keys }, headers: { Authorization: `Bearer ${accessToken}` }, signal });
        return parseFilesAccess(answer.status, answer.body, keys);
      }),
    send: sendSigned,
  };
}

export async function sendSigned(request: SignedUrl, signal: AbortSignal): Promise<S3TextAnswer> {
  try {
    const response = await fetch(request.url, { method: request.method, credentials: 'omit', cache: 'no-store', signal });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if (signal.aborted) throw new AbortedError();
    throw new NetworkError('The connection to the storage service failed.', { cause: error });
  }
}
