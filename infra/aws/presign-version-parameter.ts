/**
 * Where the edge stack hands the presign version ARN to the web stack
 * (README, "Updating a deployment"): one SSM parameter in us-east-1 per
 * published version, named after the version's fingerprint
 * (EdgeConfigDeployment.fingerprint). Both sides build the name here, so
 * the writer and the reader can never disagree on it.
 *
 * Not a CDK cross-stack reference: one parameter per fingerprint, written
 * once and never deleted by a deploy, so any web template, old or new,
 * names a parameter that still exists, and the web stack's reader is
 * replaced (never updated in place) when the name changes.
 */
import { EDGE_REGION } from './app-config';

/** `/<appName>/edge/presign-version/<fingerprint>`. */
export function presignVersionParameterName(appName: string, fingerprint: string): string {
  if (!/^[0-9a-f]{16}$/.test(fingerprint)) throw new Error(`not a version fingerprint: ${fingerprint}`);
  return `/${appName}/edge/presign-version/${fingerprint}`;
}

/** The parameter's ARN (in us-east-1, where the edge stack writes it): what each side's policy names, and nothing else. */
export function presignVersionParameterArn(scope: { partition: string; account: string }, parameterName: string): string {
  // A parameter's ARN is `parameter` followed by its name, whose leading slash is the separator.
  return `arn:${scope.partition}:ssm:${EDGE_REGION}:${scope.account}:parameter${parameterName}`;
}
