/** POST /presign/multipart and /presign/multipart/parts (docs/large-files.md), with an access token. */
import {
  parseMultipartStart,
  parsePartUrls,
  type MultipartFileSpec,
  type MultipartStart,
  type PartsRequest,
  type PartUrls,
} from '../core/multipart-contract';
import type { PartPlan } from '../core/multipart-upload';
import { postAuthorized, type Edge } from './edge';

/** The two signing calls of a multipart upload: a 401 gets one fresh token, then SessionExpiredError (AccessTokens). */
export function multipartSignerWith(edge: Edge) {
  return {
    signStart: async (file: MultipartFileSpec, signal: AbortSignal): Promise<MultipartStart> => {
      const answer = await postAuthorized(
        edge,
        '/presign/multipart',
        { file: { name: file.name, size: file.size, type: file.type, id: file.id } },
        signal,
      );
      return parseMultipartStart(answer.status, answer.body, file);
    },
    signParts: async (request: PartsRequest, plan: PartPlan, signal: AbortSignal): Promise<PartUrls> => {
      const answer = await postAuthorized(edge, '/presign/multipart/parts', request, signal);
      return parsePartUrls(answer.status, answer.body, request, plan);
    },
  };
}
