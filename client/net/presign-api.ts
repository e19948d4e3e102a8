/** POST /presign (docs/http-api.md): one call per batch, with an access token. */
import { parsePresignResponse, type PresignedForm, type PresignFile } from '../core/api-contract';
import { postAuthorized, type Edge } from './edge';

/** A Presigner for the upload queue: a 401 gets one fresh token, then SessionExpiredError (AccessTokens). */
export function presignWith(edge: Edge) {
  return async (files: readonly PresignFile[], signal: AbortSignal): Promise<PresignedForm[]> => {
    const body = { files: files.map(({ name, size, type, id, md5 }) => ({ name, size, type, id, ...(md5 === undefined ? {} : { md5 }) })) };
    const answer = await postAuthorized(edge, '/presign', body, signal);
    return parsePresignResponse(answer.status, answer.body, files);
  };
}
