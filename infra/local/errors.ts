/**
 * Why the local stack could not start. Each error says what to do about it;
 * `start.ts` prints the message alone (no stack trace) and exits non-zero.
 * Failures while serving requests are the edge's business (edge/errors.ts).
 */

export abstract class LocalStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A build output the stack runs (a function bundle) is missing. */
export class MissingBuildOutputError extends LocalStackError {
  constructor(readonly file: string) {
    super(`${file} does not exist: run \`npm run build\` first (\`npm start\` does it for you).`);
  }
}

/** A port the stack should listen on is taken. */
export class PortInUseError extends LocalStackError {
  constructor(
    readonly part: string,
    readonly port: number,
    readonly envVar: string,
  ) {
    super(`Port ${port} (${part}) is already in use. Stop whatever uses it, or pick another port with ${envVar}=<port>.`);
  }
}

/** cognito-local answered, but not with the JWKS the presign function needs. */
export class JwksUnavailableError extends LocalStackError {
  constructor(
    readonly url: string,
    why: string,
  ) {
    super(`Could not read the user pool's JWKS from ${url}: ${why}`);
  }
}

/** An environment variable of `npm start` has a value it cannot use. */
export class LocalSettingsError extends LocalStackError {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid local stack settings:\n- ${problems.join('\n- ')}`);
  }
}
