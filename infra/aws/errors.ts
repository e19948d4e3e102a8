/**
 * The CDK app's errors. All of them are raised at synth time, on a laptop or
 * in CI, never by a deployed resource: they name the setting to fix and say
 * why, so a bad configuration fails before CloudFormation is ever called.
 */

export type InfraErrorCode = 'APP_CONFIG_INVALID' | 'BUILD_ARTIFACT_MISSING' | 'BUCKET_NAME_INVALID' | 'CONSTRUCT_PROPS_INVALID';

export abstract class InfraError extends Error {
  abstract readonly code: InfraErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The app configuration (cdk.json context) is invalid; `problems` lists every one found. */
export class AppConfigError extends InfraError {
  readonly code = 'APP_CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid edge-upload configuration (cdk.json "context"):\n- ${problems.join('\n- ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** A file the app deploys (a bundle from `npm run build`) is not there. */
export class BuildArtifactMissingError extends InfraError {
  readonly code = 'BUILD_ARTIFACT_MISSING';
  readonly path: string;

  constructor(path: string, what: string) {
    super(`${what} is missing at ${path}: run \`npm run build\` first (\`npm run synth\` and \`npx cdk synth\` do).`);
    this.path = path;
  }
}

/** A bucket name S3 (or S3 Transfer Acceleration) would refuse. */
export class BucketNameError extends InfraError {
  readonly code = 'BUCKET_NAME_INVALID';
  readonly bucketName: string;

  constructor(bucketName: string, reason: string) {
    super(`Bucket name "${bucketName}" cannot be used: ${reason}`);
    this.bucketName = bucketName;
  }
}

/** A construct was given props it cannot honour. */
export class ConstructPropsError extends InfraError {
  readonly code = 'CONSTRUCT_PROPS_INVALID';

  constructor(construct: string, reason: string) {
    super(`${construct}: ${reason}`);
  }
}
