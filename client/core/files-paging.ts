/**
 * Paging "Your files": POST /presign/files signs one ListObjectsV2 URL per
 * list (docs/http-api.md, "POST /presign/files") and binds the one
 * continuation token it is given into both. Each list pages with its own
 * token, so a list that goes on is its own call, and only the URL of the list
 * the token came from is read. Used by YourFiles and by the library's
 * listFiles().
 */
import { parseListObjects, type FilesListing, type ListPage, type SignedUrl } from './files-contract';
import { s3ErrorFromResponse } from './s3-error';
import type { FilesApi } from './your-files';

/** One of the two lists POST /presign/files signs: `list` (uploads/<sub>/) or `quarantined` (quarantine/<sub>/). */
export type ListName = keyof Pick<FilesListing, 'list' | 'quarantined'>;

/** One signed ListObjectsV2, read: anything but 200 is S3's refusal. */
export async function readList(api: FilesApi, request: SignedUrl, signal: AbortSignal): Promise<ListPage> {
  const answer = await api.send(request, signal);
  if (answer.status !== 200) throw s3ErrorFromResponse(answer.status, answer.body);
  return parseListObjects(answer.body, answer.status);
}

/** The page after `token` of one list: only that list's URL is read (S3 may refuse the token for the other prefix). */
export async function readNextPage(api: FilesApi, name: ListName, token: string, signal: AbortSignal): Promise<ListPage> {
  const listing = await api.listing(token, signal);
  return readList(api, listing[name], signal);
}

/**
 * Where a list goes on after the page `asked` gave: a server that answers
 * the same token again would page forever, so that ends the list. `seen`,
 * when a caller keeps the tokens it has followed, ends a longer cycle too
 * (A → B → A); S3's tokens never repeat.
 */
export function nextToken(asked: string | undefined, page: ListPage, seen?: Set<string>): string | undefined {
  const next = page.nextContinuationToken;
  if (next === undefined || next === asked || seen?.has(next) === true) return undefined;
  seen?.add(next);
  return next;
}
