/**
 * cdk-nag acknowledgements, pinned to one CloudFormation resource each.
 * cdk-nag (v3, on CDK's native Validations) applies an acknowledgement to the
 * construct it is made on and to everything below it; made on an L2
 * construct it would also cover the resources that construct creates later
 * (a role's policy, a pool's clients) and say so in their templates. Pinning
 * each one to the exact resource keeps every exception as narrow as its reason.
 */
import { CfnResource, Validations, type Acknowledgment } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `construct` itself when it is a CloudFormation resource, else its default child. */
function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource))
    throw new Error(`${construct.node.path} has no CloudFormation resource to acknowledge findings on`);
  return resource;
}

export function acknowledge(construct: IConstruct, ...acknowledgements: Acknowledgment[]): void {
  Validations.of(cfnResourceOf(construct)).acknowledge(...acknowledgements);
}

/** The AWS::IAM::Policy resource of a role's default policy (where wildcard findings are reported). */
export function defaultPolicyOf(role: IConstruct): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) throw new Error(`${role.node.path} has no default policy`);
  return policy;
}
