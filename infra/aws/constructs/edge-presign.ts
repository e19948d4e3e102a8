/**
 * The presign function (docs/http-api.md "Who answers which path", docs/edge-config.md): the built bundle as a Lambda@Edge
 * viewer-request function in us-east-1, with its config.json written in at
 * deploy time by EdgeConfigDeployment, which also publishes the version that
 * CloudFront runs.
 *
 * Its role is what signs every upload form, so it may do only what a form
 * needs: trusted by lambda and edgelambda; `s3:PutObject` under the key
 * prefix of the upload bucket (forms, and the multipart create, parts and
 * complete it signs, docs/large-files.md), `s3:AbortMultipartUpload` and
 * `s3:ListMultipartUploadParts` there too, nothing else in S3, and only while
 * that bucket belongs to this account (`s3:ResourceAccount`: the name is
 * fixed at synth, so if the bucket were ever deleted and its name taken by
 * someone else, no form signed here could write into their bucket);
 * `kms:GenerateDataKey` and `kms:Decrypt` on the upload key only when S3 in
 * the bucket's region asks for it on behalf of this bucket (a multipart upload
 * with SSE-KMS needs Decrypt as well: S3 reads the encrypted parts back to
 * complete it); and its logs, which Lambda@Edge writes in whichever region
 * ran the function.
 *
 * "Your files" (docs/http-api.md) adds what the list, download, verdict and
 * delete URLs need, each also bound to this account: `s3:ListBucket` only
 * for prefixes under uploads/ and quarantine/, `s3:GetObject` under uploads/
 * only (a quarantined file is never downloadable, and the bucket policy
 * already refuses unverified uploads), `s3:GetObjectTagging` and
 * `s3:DeleteObject` under both. IAM cannot bind these to the caller's own
 * sub: the function checks that before it signs (README, "Blast radius").
 */
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, defaultPolicyOf } from '../nag';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { DEFAULT_QUARANTINE_PREFIX } from '../../../origin/inspector/core/config';
import { EDGE_REGION } from '../app-config';
import { accelerateUploadUrl, assertUploadBucketName } from '../bucket-name';
import { ConstructPropsError } from '../errors';
import { SECURE_DEFAULTS } from '../secure-defaults';
import { EdgeConfigDeployment } from './edge-config-deployment';
import { PresignVersionWriter } from './presign-version-parameter';

export interface EdgePresignProps {
  readonly appName: string;
  /** Folder with the presign bundle (`index.js`); a `config.json` in it (the local stack's) is left out. */
  readonly codeDir: string;
  /** SHA-256 of the bundle. */
  readonly codeSha256: string;
  /** Folder with the edge-config custom resource handler. */
  readonly configHandlerCodeDir: string;
  /** The upload bucket's name, known at synth (the bucket itself lives in a later stack). */
  readonly uploadBucketName: string;
  /** The upload bucket's region (the app's region). */
  readonly uploadBucketRegion: string;
  /** The upload bucket's SSE-KMS key. */
  readonly uploadKeyArn: string;
  /** Cognito: the token issuer, its JWKS and the app clients whose access tokens are accepted. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly userPoolClientIds: readonly string[];
  /**
   * Origins whose cross-origin calls /presign* answers (CORS at the edge).
   * @default none
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Fingerprint of the data stack's pool, client and key definitions: when it changes, a new version is published.
   * @default - none
   */
  readonly configSourceFingerprint?: string;
  /**
   * Lifetime of a signed form.
   * @default DEFAULT_UPLOAD_RULES.policyTtlSeconds
   */
  readonly policyTtlSeconds?: number;
  /**
   * The only key prefix the role may write under.
   * @default DEFAULT_UPLOAD_RULES.keyPrefix ('uploads/')
   */
  readonly keyPrefix?: string;
  /**
   * Where the inspector moves rejected uploads: listed, tag-read and deletable, never readable.
   * @default DEFAULT_QUARANTINE_PREFIX ('quarantine/')
   */
  readonly quarantinePrefix?: string;
}

export class EdgePresign extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  /** The configured, published version that CloudFront associates. */
  public readonly functionVersionArn: string;
  /** Fingerprint of that version (EdgeConfigDeployment.fingerprint): the web stack reads the version by it. */
  public readonly versionFingerprint: string;
  public readonly configuration: EdgeConfigDeployment;
  /** Hands the version ARN to the web stack (infra/aws/constructs/presign-version-parameter.ts). */
  public readonly versionParameter: PresignVersionWriter;

  constructor(scope: Construct, id: string, props: EdgePresignProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && stack.region !== EDGE_REGION) {
      throw new ConstructPropsError(
        'EdgePresign',
        `Lambda@Edge functions must be created in ${EDGE_REGION}; this stack is in ${stack.region}`,
      );
    }
    assertUploadBucketName(props.uploadBucketName);
    const keyPrefix = props.keyPrefix ?? DEFAULT_UPLOAD_RULES.keyPrefix;
    if (!/^[a-z0-9][a-z0-9/-]*\/$/.test(keyPrefix))
      throw new ConstructPropsError('EdgePresign', 'keyPrefix must be a folder-like prefix ending in "/"');
    const quarantinePrefix = props.quarantinePrefix ?? DEFAULT_QUARANTINE_PREFIX;
    if (
      !/^[a-z0-9][a-z0-9/-]*\/$/.test(quarantinePrefix) ||
      quarantinePrefix.startsWith(keyPrefix) ||
      keyPrefix.startsWith(quarantinePrefix)
    ) {
      throw new ConstructPropsError('EdgePresign', 'quarantinePrefix must be a folder-like prefix ending in "/", apart from keyPrefix');
    }

    // A fixed name: the role's log permissions name the function, and a generated name would make the role depend on it.
    const functionName = `${props.appName}-presign`;
    const partition = stack.partition;
    const bucketArn = `arn:${partition}:s3:::${props.uploadBucketName}`;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('lambda.amazonaws.com'),
        new iam.ServicePrincipal('edgelambda.amazonaws.com'),
      ),
      description: 'presign Lambda@Edge: sign upload forms for uploads/ of the upload bucket',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutUploadsOnly',
        actions: ['s3:PutObject'],
        resources: [`${bucketArn}/${keyPrefix}*`],
        conditions: { StringEquals: { 's3:ResourceAccount': stack.account } },
      }),
    );
    const thisAccount = { StringEquals: { 's3:ResourceAccount': stack.account } };
    const uploads = `${bucketArn}/${keyPrefix}*`;
    const quarantine = `${bucketArn}/${quarantinePrefix}*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListOwnFilesPrefixesOnly',
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { ...thisAccount, StringLike: { 's3:prefix': [`${keyPrefix}*`, `${quarantinePrefix}*`] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'DownloadUploadsOnly', actions: ['s3:GetObject'], resources: [uploads], conditions: thisAccount }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadVerdicts',
        actions: ['s3:GetObjectTagging'],
        resources: [uploads, quarantine],
        conditions: thisAccount,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeleteUploadsAndQuarantined',
        actions: ['s3:DeleteObject'],
        resources: [uploads, quarantine],
        conditions: thisAccount,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'MultipartUploadsOnly',
        // A signed ListParts and AbortMultipartUpload (the `list` and `abort` URLs); create, part
        // and complete are s3:PutObject.
        actions: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [`${bucketArn}/${keyPrefix}*`],
        conditions: { StringEquals: { 's3:ResourceAccount': stack.account } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadKeyThroughS3Only',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.uploadKeyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${props.uploadBucketRegion}.amazonaws.com` },
          // With an S3 bucket key the context is the bucket's ARN; without one, the object's.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, `${bucketArn}/${keyPrefix}*`] },
        },
      }),
    );
    const logGroups = [
      `arn:${partition}:logs:*:${stack.account}:log-group:/aws/lambda/${EDGE_REGION}.${functionName}`,
      `arn:${partition}:logs:${EDGE_REGION}:${stack.account}:log-group:/aws/lambda/${functionName}`,
    ];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OwnLogsInEveryEdgeRegion',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: logGroups.flatMap((group) => [group, `${group}:*`]),
      }),
    );
    const wildcard = (resource: string, reason: string) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    acknowledge(
      defaultPolicyOf(this.role),
      wildcard(
        `${bucketArn}/${keyPrefix}*`,
        `Each upload has its own key (${keyPrefix}<user>/<date>/<id>/<name>), chosen per request: the wildcard is the key prefix of the one upload bucket, and every signed form or URL pins the exact key (the function signs only the caller's own keys).`,
      ),
      wildcard(
        quarantine,
        `A rejected upload keeps its key under ${quarantinePrefix}; the function signs verdict reads and deletes of the caller's own quarantined keys only (no GetObject there).`,
      ),
      ...logGroups
        .filter((group) => group.includes('*'))
        .map((group) =>
          wildcard(
            group,
            "Lambda@Edge writes its logs in the region of the edge location that ran it: this one function's log group, in every region.",
          ),
        ),
      ...logGroups.map((group) =>
        wildcard(`${group}:*`, "The log streams of this one function's log group, in every region an edge location may run it."),
      ),
    );

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: `${props.appName} presign (Lambda@Edge viewer-request on /presign)`,
      // The newest Node.js that Lambda@Edge documents; x86_64 is the only architecture it runs.
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.codeDir, { exclude: ['config.json'] }),
      role: this.role,
      memorySize: SECURE_DEFAULTS.edgeFunction.memoryMb,
      timeout: SECURE_DEFAULTS.edgeFunction.timeout,
    });
    acknowledge(this.function, {
      id: 'AwsSolutions-L1',
      reason:
        'Lambda@Edge documents Node.js 22 as its newest runtime (CloudFront "Restrictions on Lambda@Edge"); nodejs24.x is not yet listed for edge functions.',
    });

    // aws-cdk-lib creates /aws/lambda/<name> in us-east-1 for the function (direct invocations only;
    // edge runs log to /aws/lambda/us-east-1.<name> in each region): same retention as every other log here.
    const ownLogGroup = this.function.node.tryFindChild('LogGroup')?.node.defaultChild;
    if (ownLogGroup instanceof logs.CfnLogGroup) {
      ownLogGroup.retentionInDays = SECURE_DEFAULTS.logs.retention;
      ownLogGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }

    const configuration = (this.configuration = new EdgeConfigDeployment(this, 'Config', {
      targetFunction: this.function,
      packageSha256: props.codeSha256,
      // A published version freezes the function's settings too: a change to any of them needs a new version.
      functionSettings: JSON.stringify({
        runtime: lambda.Runtime.NODEJS_22_X.name,
        memoryMb: SECURE_DEFAULTS.edgeFunction.memoryMb,
        timeoutSeconds: SECURE_DEFAULTS.edgeFunction.timeout.toSeconds(),
      }),
      handlerCodeDir: props.configHandlerCodeDir,
      ...(props.configSourceFingerprint === undefined ? {} : { sourceFingerprint: props.configSourceFingerprint }),
      jwksUrl: props.jwksUrl,
      config: {
        issuer: props.issuer,
        clientIds: [...props.userPoolClientIds],
        ...(props.allowedOrigins === undefined || props.allowedOrigins.length === 0 ? {} : { allowedOrigins: [...props.allowedOrigins] }),
        bucket: props.uploadBucketName,
        region: props.uploadBucketRegion,
        uploadUrl: accelerateUploadUrl(props.uploadBucketName),
        kmsKeyId: props.uploadKeyArn,
        policyTtlSeconds: props.policyTtlSeconds ?? DEFAULT_UPLOAD_RULES.policyTtlSeconds,
      },
    }));
    this.functionVersionArn = configuration.functionVersionArn;
    this.versionFingerprint = configuration.fingerprint;
    this.versionParameter = new PresignVersionWriter(this, 'VersionParameter', {
      appName: props.appName,
      fingerprint: configuration.fingerprint,
      functionVersionArn: configuration.functionVersionArn,
    });
  }
}
