/**
 * Synth-time fingerprints that make a consumer's template change when what it
 * reads from another stack changes (README, "Updating a deployment").
 *
 * Cross-stack references here are weak (`Fn::GetStackOutput`): the consumer's
 * template text stays the same when the producer's value changes, and the CDK
 * CLI skips a stack whose template did not change. A replaced user pool or
 * app client (a new id) always comes with a change to its own CloudFormation
 * definition (a property that requires replacement, or a new logical id), so
 * a hash of those definitions, written into the consumer's template, changes
 * exactly when a re-read may be needed.
 */
import { createHash } from 'node:crypto';
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The CloudFormation resource of a construct (itself, or its default child). */
function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource to fingerprint`);
  return resource;
}

/**
 * SHA-256 (hex, 16 characters) of each resource's logical id, type and
 * properties, resolved in its own stack. Metadata (cdk-nag's, the CDK path)
 * is left out: it never changes what the resource is.
 */
export function resourceFingerprint(constructs: readonly IConstruct[]): string {
  const hash = createHash('sha256');
  for (const construct of constructs) {
    const resource = cfnResourceOf(construct);
    const stack = Stack.of(resource);
    // _toCloudFormation is what the stack itself renders (typed, documented @internal in aws-cdk-lib):
    // the fingerprint sees exactly what the template will say.
    const rendered = stack.resolve(resource._toCloudFormation()) as {
      Resources?: Record<string, { Type?: unknown; Properties?: unknown }>;
    };
    for (const [logicalId, definition] of Object.entries(rendered.Resources ?? {})) {
      hash.update(JSON.stringify([stack.stackName, logicalId, definition.Type, definition.Properties ?? {}]));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** SHA-256 (hex, 16 characters) of values known at synth; tokens are resolved in `scope`'s stack first. */
export function valueFingerprint(scope: IConstruct, value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(Stack.of(scope).resolve(value)))
    .digest('hex')
    .slice(0, 16);
}
