/**
 * Why a CloudFront Function cannot be loaded or run in the local
 * cloudfront-js-2.0 stand-in (cloudfront-functions-sandbox.ts): its syntax,
 * a throw or timeout at run time, or a result CloudFront would refuse.
 */
export const RUNTIME_20_FEATURES_DOC =
  'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html';

export abstract class CloudFrontFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The source uses syntax the runtime does not list, or does not declare `function handler`. */
export class CloudFrontFunctionSyntaxError extends CloudFrontFunctionError {
  readonly violations: readonly string[];

  constructor(filename: string, violations: readonly string[]) {
    super(`${filename} does not fit cloudfront-js-2.0 (${RUNTIME_20_FEATURES_DOC}):\n  ${violations.join('\n  ')}`);
    this.violations = violations;
  }
}

/** The function threw, never settled, or ran past the time limit. */
export class CloudFrontFunctionRuntimeError extends CloudFrontFunctionError {
  readonly logs: readonly string[];

  constructor(message: string, logs: readonly string[] = []) {
    super(message);
    this.logs = logs;
  }
}

/** The function returned something that is neither a valid request nor a valid response. */
export class CloudFrontFunctionResultError extends CloudFrontFunctionError {}
