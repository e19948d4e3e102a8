/**
 * ListObjectsV2 for s3rver, the pure part. s3rver's own list-type=2 paging
 * is broken on current Node: it encrypts its continuation token with DES,
 * which OpenSSL 3 no longer offers, so any truncated page is a 500. The
 * guard therefore asks s3rver for the version 1 listing (`marker` = where to
 * start) and answers in version 2's shape, with a token of its own: the
 * base64 of the last key listed. The token is opaque to clients, as S3's is;
 * a forged one can only move the start, never the prefix, which stays in
 * the (signed) query.
 */
import { InvalidArgumentError } from './errors';
import { xmlEscape } from './s3-xml';

/** Query parameters of a V2 listing that the V1 listing takes as they are. */
const PASSED_ON = new Set(['prefix', 'delimiter', 'max-keys', 'encoding-type']);

export interface ListV2Request {
  /** The version 1 query to send to s3rver. */
  readonly v1Query: string;
  readonly continuationToken: string | undefined;
  readonly startAfter: string | undefined;
  readonly fetchOwner: boolean;
}

/** True for a GET of a bucket with `list-type=2`. */
export function isListV2(forwardQuery: string): boolean {
  return new URLSearchParams(forwardQuery).get('list-type') === '2';
}

export function listV2Request(forwardQuery: string): ListV2Request {
  const query = new URLSearchParams(forwardQuery);
  const continuationToken = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const v1 = new URLSearchParams();
  for (const [name, value] of query) if (PASSED_ON.has(name)) v1.append(name, value);
  const marker = continuationToken !== undefined && continuationToken !== '' ? keyOfToken(continuationToken) : startAfter;
  if (marker !== undefined && marker !== '') v1.set('marker', marker);
  return { v1Query: v1.toString().replace(/\+/g, '%20'), continuationToken, startAfter, fetchOwner: query.get('fetch-owner') === 'true' };
}

export function continuationTokenFor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64');
}

function keyOfToken(token: string): string {
  const key = Buffer.from(token, 'base64').toString('utf8');
  if (key.length === 0 || continuationTokenFor(key) !== token) {
    throw new InvalidArgumentError('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return key;
}

/** s3rver's version 1 `<ListBucketResult>` rewritten as version 2's. */
export function listV2Result(v1Xml: string, request: ListV2Request): string {
  const keys = [...v1Xml.matchAll(/<Contents>[\s\S]*?<Key>([^<]*)<\/Key>/g)].map((match) => match[1] ?? '');
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(v1Xml);
  const last = keys[keys.length - 1];
  const unescapeXml = (text: string) =>
    text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
  let fields = '';
  if (request.continuationToken !== undefined) fields += `<ContinuationToken>${xmlEscape(request.continuationToken)}</ContinuationToken>`;
  else if (request.startAfter !== undefined) fields += `<StartAfter>${xmlEscape(request.startAfter)}</StartAfter>`;
  if (truncated && last !== undefined)
    fields += `<NextContinuationToken>${continuationTokenFor(unescapeXml(last))}</NextContinuationToken>`;
  fields += `<KeyCount>${keys.length}</KeyCount>`;
  let xml = v1Xml.replace(/<Marker>[^<]*<\/Marker>|<Marker\/>|<NextMarker>[^<]*<\/NextMarker>/g, '');
  if (!request.fetchOwner) xml = xml.replace(/<Owner>[\s\S]*?<\/Owner>/g, '');
  return xml.replace(/(<\/Prefix>|<Prefix\/>)/, `$1${fields}`);
}
