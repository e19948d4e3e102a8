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

/**
 * Every app's parameters, `/edge-upload/<appName>/presign-version/`. A fixed
 * first segment: SSM reserves names that begin with "aws" or "ssm", which an
 * app name may (`aws-files`).
 */
export function presignVersionParameterPath(appName: string): string {
  return `/edge-upload/${appName}/presign-version/`;
}

/** `/edge-upload/<appName>/presign-version/<fingerprint>`. */
export function presignVersionParameterName(appName: string, fingerprint: string): string {
  if (!/^[0-9a-f]{16}$/.test(fingerprint)) throw new Error(`not a version fingerprint: ${fingerprint}`);
  return `${presignVersionParameterPath(appName)}${fingerprint}`;
}

/** The ARN of a parameter, or with a `*` after the path of all of an app's (in us-east-1, where the edge stack writes them). */
export function presignVersionParameterArn(scope: { partition: string; account: string }, parameterName: string): string {
  // A parameter's ARN is `parameter` followed by its name, whose leading slash is the separator.
  return `arn:${scope.partition}:ssm:${EDGE_REGION}:${scope.account}:parameter${parameterName}`;
}
