/**
 * The local edge's behaviours: the distribution's own table
 * (infra/shared/cloudfront-behaviours.ts, the one the CDK app deploys), with
 * the local stack's `/_local/*` paths (the mailbox, the metrics) put in front of its default behaviour.
 * Those are never part of the deployed table. CloudFront matches path
 * patterns case-sensitively against the path without the query string, in
 * order, and falls back to the default behaviour.
 */
import {
  CLOUDFRONT_BEHAVIOURS,
  READ_METHODS,
  behaviourForPath,
  splitBehaviours,
  type AllowedMethods,
  type CloudFrontBehaviour,
  type DeployedBehaviourName,
} from '../../shared/cloudfront-behaviours';

export { matchesPathPattern } from '../../shared/cloudfront-behaviours';

/** A path only the local stack answers, by the edge itself (no function, no origin). */
export interface LocalOnlyBehaviour {
  readonly name: 'mailbox' | 'metrics' | 'events';
  readonly pathPattern: string;
  readonly allowedMethods: AllowedMethods;
  readonly local: true;
}

export type Behaviour = CloudFrontBehaviour | LocalOnlyBehaviour;
export type BehaviourName = DeployedBehaviourName | LocalOnlyBehaviour['name'];

/** Local stack only: never part of the deployed distribution. */
export const LOCAL_ONLY_BEHAVIOURS: readonly LocalOnlyBehaviour[] = Object.freeze([
  Object.freeze({ name: 'mailbox', pathPattern: '/_local/mailbox', allowedMethods: READ_METHODS, local: true } as const),
  Object.freeze({ name: 'metrics', pathPattern: '/_local/metrics', allowedMethods: READ_METHODS, local: true } as const),
  // The upload inspector's verdict events (infra/local/local-events.ts), which EventBridge carries on AWS.
  Object.freeze({ name: 'events', pathPattern: '/_local/events', allowedMethods: READ_METHODS, local: true } as const),
]);

/** The deployed table's behaviours, then the local ones, then the default. */
export function localBehaviours(deployed: readonly CloudFrontBehaviour[] = CLOUDFRONT_BEHAVIOURS): readonly Behaviour[] {
  const { ordered, fallback } = splitBehaviours(deployed);
  return Object.freeze([...ordered, ...LOCAL_ONLY_BEHAVIOURS, fallback]);
}

export const BEHAVIOURS: readonly Behaviour[] = localBehaviours();

export function behaviourFor(path: string, behaviours: readonly Behaviour[] = BEHAVIOURS): Behaviour {
  return behaviourForPath(behaviours, path);
}
