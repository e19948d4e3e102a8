/** POST /presign (DESIGN §3): one call per batch, with the session's access token. */
import { parsePresignResponse, type PresignedForm, type PresignFile } from '../core/api-contract';
import type { Session } from '../core/session';
import { postJson } from './http';

/** A Presigner for the upload queue: a 401 gets one refresh, then the session ends (Session.withAccessToken). */
export function presignWith(session: Session) {
  return (files: readonly PresignFile[], signal: AbortSignal): Promise<PresignedForm[]> =>
    session.withAccessToken(async (accessToken) => {
      const answer = await postJson('/presign', {
        body: { files: files.map(({ name, size, type, id, md5 }) => ({ name, size, type, id, ...(md5 === undefined ? {} : { md5 }) })) },
        headers: { Authorization: `Bearer ${accessToken}` },
        signal,
      });
      return parsePresignResponse(answer.status, answer.body, files);
    });
}
