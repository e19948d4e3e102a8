/**
 * Scanning what the local stack logged for secrets: the exact tokens,
 * passwords, codes and refresh tokens a test used, and anything shaped like
 * a JWT or a credential-bearing JSON field, whoever it belonged to.
 *
 * Where the stack's logs go (infra/local/local-stack.ts): every part's lines
 * (the edge's access log, the presign function's console, the auth API's
 * request log, the guard's upload log, the stack's own notes) go to the
 * `log` option, which the test harness keeps; cognito-local's own output
 * goes to `<stateDir>/cognito-local.log`. Anything a part wrote straight to
 * the process's stdout or stderr is caught by `captureProcessOutput`.
 */

/** A secret the scan must not find, and what to call it in a failure (never the value itself). */
export interface Secret {
  readonly label: string;
  readonly value: string;
}

/** A compact JWT (header.payload.signature, the first two base64url JSON). */
export const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** A JSON field that carries a credential, with a value ("code" is left out: log lines carry error codes). */
const CREDENTIAL_FIELD = /"(?:password|newPassword|confirmationCode|accessToken|idToken|refreshToken|authorization|cookie)"\s*:\s*"[^"]/gi;
/** An Authorization or Cookie value written out. */
const CREDENTIAL_HEADER = /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}|edge_upload_refresh=[^;\s"]{8,}/g;

/**
 * Digits-only secrets (codes) must not match inside a longer number or word,
 * nor inside a decimal: a million log lines of latencies like 0.123456 would
 * otherwise contain any six-digit code by chance.
 */
function occurs(text: string, value: string): boolean {
  if (!/^[0-9]+$/.test(value)) return text.includes(value);
  return new RegExp(`(?<![0-9A-Za-z]|[0-9]\\.)${value}(?![0-9A-Za-z]|\\.[0-9])`).test(text);
}

/** Labels of the secrets found in `text`, plus the shapes found (JWT, credential field, header). */
export function findSecrets(text: string, secrets: readonly Secret[]): string[] {
  const found = secrets.filter((secret) => secret.value.length >= 6 && occurs(text, secret.value)).map((secret) => secret.label);
  for (const [label, pattern] of [
    ['a JWT', JWT_SHAPE],
    ['a credential JSON field', CREDENTIAL_FIELD],
    ['an Authorization or refresh cookie value', CREDENTIAL_HEADER],
  ] as const) {
    const matches = text.match(pattern);
    if (matches !== null) found.push(`${label} (${matches.length}×, e.g. "${matches[0].slice(0, 12)}…")`);
  }
  return found;
}

export interface ProcessOutputCapture {
  readonly chunks: string[];
  restore(): void;
}

/** Tees this process's stdout, stderr and console into `chunks` until restored (what a part printed directly). */
export function captureProcessOutput(): ProcessOutputCapture {
  const chunks: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const tee =
    (write: typeof process.stdout.write): typeof process.stdout.write =>
    (chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tee(stdoutWrite);
  process.stderr.write = tee(stderrWrite);
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      chunks.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      original.apply(console, args);
    };
  }
  return {
    chunks,
    restore() {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      methods.forEach((name, i) => {
        console[name] = originals[i] as (typeof console)[typeof name];
      });
    },
  };
}

/** What a logged-in session could leak: its tokens, its refresh cookie's value and the password it logged in with. */
export function sessionSecrets(
  session: { readonly accessToken: string; readonly idToken: string; readonly refreshCookie: string },
  password: string,
): Secret[] {
  return [
    { label: 'the access token', value: session.accessToken },
    { label: 'the id token', value: session.idToken },
    { label: 'the refresh token', value: session.refreshCookie.split('=')[1] ?? '' },
    { label: 'the password', value: password },
  ];
}
