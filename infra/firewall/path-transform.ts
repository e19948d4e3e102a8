/**
 * What a rule's `paths` are compared with: the request's URI path after the
 * same text transformations on AWS (the web ACL's byte match statements) and
 * locally (engine.ts). One list, read by both, so the two cannot drift: the
 * CDK app turns it into WAF `TextTransformations`, and `transformPath`
 * applies it here, with one implementation per type (the switch below fails
 * to compile if a type is added to the list without one).
 *
 * Why: without them `/auth//login`, `/x/../auth/login` or `/%61uth/login`
 * are not "under /auth/" for WAF, yet a server that normalizes the path
 * serves them as /auth/login: an attacker would walk around every per-path
 * rate limit. Matching the transformed path can only make a rule match more
 * requests, never fewer.
 *
 * - URL_DECODE (WAF: "decode a URL-encoded value"): every valid `%XX` escape
 *   becomes its byte; runs of bytes are read as UTF-8 (an invalid sequence
 *   becomes U+FFFD, which never forms `/` or any ASCII character, so prefix
 *   decisions stay byte-exact). Invalid escapes (`%4`, `%zz`) are left as
 *   they are. `+` is left alone: rule paths may not contain `+` or spaces
 *   (rules.ts), so whether a `+` decodes to a space never changes a match.
 * - NORMALIZE_PATH (WAF: "remove multiple slashes, directory self-references,
 *   and directory back-references that are not at the beginning of the
 *   input"): `//` → `/`, `/./` → `/`, `/x/../` → `/`; a `..` with nothing
 *   before it to remove stays.
 *
 * Decoding comes first, so `/x/%2e%2e/auth/` is normalized to `/auth/` too.
 * Case is kept: CloudFront's path patterns are case-sensitive, so `/AUTH/x`
 * never reaches the auth API.
 */

/** WAF TextTransformation types, in the order (priority) WAF applies them. */
export const PATH_TEXT_TRANSFORMATIONS = Object.freeze(['URL_DECODE', 'NORMALIZE_PATH'] as const);
export type PathTextTransformation = (typeof PATH_TEXT_TRANSFORMATIONS)[number];

/** The path as every rule's `paths` sees it. Pure; never throws. */
export function transformPath(path: string): string {
  let result = path;
  for (const type of PATH_TEXT_TRANSFORMATIONS) result = applyTransformation(type, result);
  return result;
}

function applyTransformation(type: PathTextTransformation, text: string): string {
  switch (type) {
    case 'URL_DECODE':
      return urlDecode(text);
    case 'NORMALIZE_PATH':
      return normalizePath(text);
  }
}

const ESCAPE = /%[0-9A-Fa-f]{2}/y;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function urlDecode(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    ESCAPE.lastIndex = i;
    if (text[i] !== '%' || !ESCAPE.test(text)) {
      out += text[i];
      i += 1;
      continue;
    }
    // A run of consecutive escapes is one byte sequence: decode it as UTF-8 at once.
    const bytes: number[] = [];
    while (i < text.length) {
      ESCAPE.lastIndex = i;
      if (text[i] !== '%' || !ESCAPE.test(text)) break;
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    }
    out += utf8.decode(Uint8Array.from(bytes));
  }
  return out;
}

export function normalizePath(text: string): string {
  const absolute = text.startsWith('/');
  const collapsed = text.replace(/\/{2,}/g, '/');
  const parts = (absolute ? collapsed.slice(1) : collapsed).split('/');
  const kept: string[] = [];
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (part === '.') {
      if (last) kept.push(''); // "/a/." is the folder "/a/"
      return;
    }
    const previous = kept[kept.length - 1];
    if (part === '..' && previous !== undefined && previous !== '..') {
      kept.pop();
      if (last) kept.push('');
      return;
    }
    kept.push(part);
  });
  return `${absolute ? '/' : ''}${kept.join('/')}`;
}
