/**
 * The random inputs every differential suite draws from: buckets,
 * credentials, clocks, ids and MD5s, in the shapes AWS gives them. What a
 * suite varies on its own (regions, KMS key ids, file names) stays in the suite.
 */
import fc from 'fast-check';
import type { SigningCredentials } from '../../edge-functions/core/edge-config';

export const UPPER_BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export const fromAlphabet = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

/** DNS-style names without dots, so virtual-hosted addressing applies; valid for S3 and for parseEdgeConfig. */
export const bucketArb = fc
  .stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/)
  .filter((name) => !name.startsWith('xn--') && !name.startsWith('sthree-') && !name.endsWith('-s3alias') && !name.endsWith('--ol-s3'));

export const uuidArb = fc.uuid({ version: 4 });

/** Long-term (AKIA, no token) and temporary (ASIA, with a token) credentials; secrets carry '/' and '+'. */
export const credentialsArb: fc.Arbitrary<SigningCredentials> = fc.record({
  accessKeyId: fc.tuple(fc.constantFrom('AKIA', 'ASIA'), fromAlphabet(UPPER_BASE32, 16, 16)).map(([prefix, rest]) => prefix + rest),
  secretAccessKey: fromAlphabet(BASE64_ALPHABET, 40, 40),
  sessionToken: fc.option(fromAlphabet(`${BASE64_ALPHABET}=`, 16, 1400), { nil: undefined }),
});

/** A fixed instant per run, milliseconds included, across a century. */
export const clockArb = fc.date({
  min: new Date('2000-01-01T00:00:00.000Z'),
  max: new Date('2099-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

/** Base64 of 16 random bytes: what a browser sends as a file's MD5. */
export const md5Arb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64'));

/**
 * Characters for file names: letters from several scripts (NFC and
 * decomposed), an emoji, a space, and the punctuation URL escaping and the
 * sanitizer treat specially.
 */
export const FILE_NAME_CHARS: readonly string[] = [
  ...'abcXYZ0189',
  'é',
  'e\u0301',
  'ß',
  'Ж',
  'λ',
  'ש',
  '日',
  '한',
  '😀',
  ' ',
  '-',
  '_',
  '.',
  '(',
  ')',
  '&',
  '%',
  '#',
  '+',
  "'",
  '!',
  '*',
  '~',
];
