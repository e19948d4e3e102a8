/**
 * The numbers of the "your files" routes that clients must know too (the
 * site batches its access requests by them), apart from user-files.ts so
 * that a client imports them without the signer.
 */

/**
 * Keys per `/presign/files/access` call. Each key costs three URLs, each
 * carrying the function's ~1.1 KB session token: 5 keys with the longest
 * names already take ~33 KB, and a generated Lambda@Edge response may not
 * exceed 40 KB (a test measures the largest answer at this limit). The
 * first draft of the contract said 20, which would need ~130 KB.
 */
export const MAX_KEYS_PER_ACCESS = 5;
