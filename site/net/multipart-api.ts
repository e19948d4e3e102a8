/** POST /presign/multipart and /presign/multipart/parts (docs/large-files.md), with the session's access token. */
import { parseMultipartStart, parsePartUrls, type MultipartFileSpec, type MultipartStart, type PartsRequest, type PartUrls } from '../core/multipart-contract';
import type { PartPlan } from '../core/multipart-upload';
import type { Session } from '../core/session';
import { postJson } from './http';

/** The two signing calls of a multipart upload: a 401 gets one refresh, then the session ends (Session.withAccessToken). */
export function multipartSignerWith(session: Session) {
  return {
    signStart: (file: MultipartFileSpec, signal: AbortSignal): Promise<MultipartStart> =>
      session.withAccessToken(async (accessToken) => {
        const answer = await postJson('/presign/multipart', {
          body: { file: { name: file.name, size: file.size, type: file.type, id: file.id } },
          headers: { Authorization: `Bearer ${accessToken}` },
          signal,
        });
        return parseMultipartStart(answer.status, answer.body, file);
      }),
    signParts: (request: PartsRequest, plan: PartPlan, signal: AbortSignal): Promise<PartUrls> =>
      session.withAccessToken(async (accessToken) => {
        const answer = await postJson('/presign/multipart/parts', { body: request, headers: { Authorization: `Bearer ${accessToken}` }, signal });
        return parsePartUrls(answer.status, answer.body, request, plan);
      }),
  };
}
