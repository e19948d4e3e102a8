/**
 * An in-memory S3 bucket and edge for "Your files": the edge signs (its URLs
 * name the operation, the key and an expiry by this fake's clock), S3 answers
 * ListObjectsV2 (prefix, max-keys, continuation token), GetObjectTagging,
 * GetObject and DeleteObject with S3's own XML and statuses, and `inspect`
 * does what the inspector does: tag verified, or move to quarantine/ with a
 * quarantine-reason tag. As the edge does, a continuation token is bound
 * into both list URLs; S3 refuses a token that is not from the listed prefix.
 */
import { MAX_KEYS_PER_ACCESS } from '../../../edge-functions/core/user-files-limits';
import { ApiError } from '../../../client/core/errors';
import type { FileAccess, FilesListing, SignedUrl } from '../../../client/core/files-contract';
import type { FilesApi, S3TextAnswer } from '../../../client/core/your-files';

interface StoredObject {
  readonly size: number;
  readonly lastModified: number;
  readonly tags: Map<string, string>;
}

const HOST = 'https://bucket.s3.test';

export class FakeFilesBackend implements FilesApi {
  readonly objects = new Map<string, StoredObject>();
  readonly accessCalls: string[][] = [];
  readonly sent: string[] = [];
  /** Every POST /presign/files, by the token it carried. */
  readonly listingTokens: (string | undefined)[] = [];
  /** Every ListObjectsV2 S3 answered: "<prefix> <token or ->". */
  readonly listReads: string[] = [];
  /** A looping S3, while set: a list under this prefix asked with a token answers that same token as the next one. */
  loopingPrefix: string | undefined;
  /** A cycling S3, while set: under this prefix, the page after the second token points back to the first (A → B → A). */
  cyclingPrefix: string | undefined;
  private readonly issued = new Map<string, string[]>();
  /** S3 answers tagging reads with this status instead (e.g. 500), while set. */
  failTagging: number | undefined;

  constructor(
    readonly sub: string,
    private readonly now: () => number,
    private readonly ttlMs = 300_000,
    private readonly maxKeys = 100,
  ) {}

  put(rest: string, size = 1234, prefix: 'uploads' | 'quarantine' = 'uploads', tags: Record<string, string> = {}): string {
    const key = `${prefix}/${this.sub}/${rest}`;
    this.objects.set(key, { size, lastModified: Date.UTC(2026, 0, 2, 3, 4, 5), tags: new Map(Object.entries(tags)) });
    return key;
  }

  /** The inspector's decision on an uploads/ key. */
  inspect(key: string, verdict: { verified: true } | { reason: string }): void {
    const object = this.objects.get(key);
    if (object === undefined) throw new Error(`no ${key}`);
    if ('verified' in verdict) {
      object.tags.set('verified', 'true');
      return;
    }
    this.objects.delete(key);
    this.objects.set(`quarantine/${key.slice('uploads/'.length)}`, { ...object, tags: new Map([['quarantine-reason', verdict.reason]]) });
  }

  async listing(continuationToken: string | undefined): Promise<FilesListing> {
    this.listingTokens.push(continuationToken);
    const token = continuationToken === undefined ? '' : `&token=${encodeURIComponent(continuationToken)}`;
    return {
      list: { method: 'GET', url: this.sign(`list?prefix=uploads/${this.sub}/${token}`) },
      quarantined: { method: 'GET', url: this.sign(`list?prefix=quarantine/${this.sub}/${token}`) },
      expiresAt: this.now() + this.ttlMs,
    };
  }

  async access(keys: readonly string[]): Promise<Map<string, FileAccess>> {
    this.accessCalls.push([...keys]);
    // The edge's own limit: a client that batches more is refused, as the edge would.
    if (keys.length < 1 || keys.length > MAX_KEYS_PER_ACCESS)
      throw new ApiError(400, 'INVALID_REQUEST', `keys: 1 to ${MAX_KEYS_PER_ACCESS}`);
    const own = [`uploads/${this.sub}/`, `quarantine/${this.sub}/`];
    if (!keys.every((key) => own.some((prefix) => key.startsWith(prefix)) && !key.includes('..'))) {
      throw new ApiError(403, 'FORBIDDEN_KEY', 'That file is not yours.');
    }
    return new Map(
      keys.map((key) => [
        key,
        {
          key,
          get: { method: 'GET', url: this.sign(`get?key=${encodeURIComponent(key)}`) },
          tagging: { method: 'GET', url: this.sign(`tagging?key=${encodeURIComponent(key)}`) },
          delete: { method: 'DELETE', url: this.sign(`delete?key=${encodeURIComponent(key)}`) },
        },
      ]),
    );
  }

  async send(request: SignedUrl): Promise<S3TextAnswer> {
    const url = new URL(request.url);
    const op = url.pathname.slice(1);
    this.sent.push(`${request.method} ${op}`);
    if (Number(url.searchParams.get('expires')) < this.now()) return error(403, 'AccessDenied', 'Request has expired');
    const key = url.searchParams.get('key') ?? '';
    if (op === 'list' && request.method === 'GET')
      return this.list(url.searchParams.get('prefix') ?? '', url.searchParams.get('token') ?? undefined);
    const object = this.objects.get(key);
    if (op === 'delete' && request.method === 'DELETE') {
      this.objects.delete(key);
      return { status: 204, body: '' };
    }
    if (object === undefined) return error(404, 'NoSuchKey', 'The specified key does not exist.');
    if (op === 'tagging' && request.method === 'GET') {
      if (this.failTagging !== undefined) return error(this.failTagging, 'InternalError', 'We encountered an internal error.');
      const tags = [...object.tags].map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('');
      return {
        status: 200,
        body: `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags}</TagSet></Tagging>`,
      };
    }
    if (op === 'get' && request.method === 'GET') return { status: 200, body: 'x'.repeat(object.size) };
    return error(405, 'MethodNotAllowed', 'no');
  }

  private list(prefix: string, token: string | undefined): S3TextAnswer {
    this.listReads.push(`${prefix} ${token ?? '-'}`);
    // This fake's tokens are the last key of the page before, so one from the other list is S3's "incorrect token".
    if (token !== undefined && !token.startsWith(prefix))
      return error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    const start = token === undefined ? 0 : keys.findIndex((key) => key > token);
    const page = start < 0 ? [] : keys.slice(start, start + this.maxKeys);
    const truncated = start >= 0 && start + this.maxKeys < keys.length;
    const contents = page
      .map((key) => {
        const object = this.objects.get(key) as StoredObject;
        return `<Contents><Key>${key.replace(/&/g, '&amp;')}</Key><LastModified>${new Date(object.lastModified).toISOString()}</LastModified><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const looping = token !== undefined && this.loopingPrefix !== undefined && prefix.startsWith(this.loopingPrefix);
    const issued = this.issued.get(prefix) ?? [];
    this.issued.set(prefix, issued);
    const cycling = token !== undefined && this.cyclingPrefix !== undefined && prefix.startsWith(this.cyclingPrefix) && token === issued[1];
    const nextToken = looping ? token : cycling ? issued[0] : truncated ? page.at(-1) : undefined;
    if (nextToken !== undefined && !issued.includes(nextToken)) issued.push(nextToken);
    const next = nextToken === undefined ? '' : `<NextContinuationToken>${nextToken}</NextContinuationToken>`;
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${this.maxKeys}</MaxKeys><IsTruncated>${nextToken !== undefined}</IsTruncated>${contents}${next}</ListBucketResult>`,
    };
  }

  private sign(path: string): string {
    return `${HOST}/${path}${path.includes('?') ? '&' : '?'}expires=${this.now() + this.ttlMs}`;
  }
}

function error(status: number, code: string, message: string): S3TextAnswer {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`,
  };
}
