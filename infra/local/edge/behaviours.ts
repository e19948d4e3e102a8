/**
 * The distribution's cache behaviours, by path pattern, as the CDK app
 * defines them (DESIGN §2), plus the local stack's own mailbox and metrics. CloudFront
 * matches path patterns case-sensitively against the path without the query
 * string, in order, and falls back to the default behaviour.
 */

export type BehaviourName = 'presign' | 'auth' | 'mailbox' | 'metrics' | 'default';

export interface Behaviour {
  readonly name: BehaviourName;
  /** As written in the distribution. */
  readonly pathPattern: string;
  /** Methods CloudFront forwards on this behaviour. */
  readonly allowedMethods: readonly string[];
}

const ALL_METHODS = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
const READ_METHODS = Object.freeze(['GET', 'HEAD']);

/** Ordered like the distribution's behaviours: the first match wins. */
export const BEHAVIOURS: readonly Behaviour[] = Object.freeze([
  // Lambda@Edge viewer-request answers every method itself (405 for anything but POST).
  { name: 'presign', pathPattern: '/presign', allowedMethods: ALL_METHODS },
  // The auth-guard CloudFront Function answers wrong methods with 405.
  { name: 'auth', pathPattern: '/auth/*', allowedMethods: ALL_METHODS },
  // Local stack only: never part of the deployed distribution.
  { name: 'mailbox', pathPattern: '/_local/mailbox', allowedMethods: READ_METHODS },
  { name: 'metrics', pathPattern: '/_local/metrics', allowedMethods: READ_METHODS },
  { name: 'default', pathPattern: '*', allowedMethods: READ_METHODS },
]);

export function behaviourFor(path: string): Behaviour {
  for (const behaviour of BEHAVIOURS) if (matchesPathPattern(behaviour.pathPattern, path)) return behaviour;
  // The default behaviour's `*` matches everything, so this is never reached.
  return BEHAVIOURS[BEHAVIOURS.length - 1] as Behaviour;
}

/** CloudFront path patterns as the distribution uses them: `*` matches any run of characters. */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === path;
  let at = 0;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] as string;
    if (i === 0) {
      if (!path.startsWith(part)) return false;
      at = part.length;
    } else if (i === parts.length - 1) {
      return path.length - part.length >= at && path.endsWith(part);
    } else {
      const found = path.indexOf(part, at);
      if (found === -1) return false;
      at = found + part.length;
    }
  }
  return true;
}
