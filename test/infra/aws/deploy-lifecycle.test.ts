/**
 * "Day two": what a plain `cdk deploy --all` updates (README, "Updating a
 * deployment"). The CLI skips a stack whose template did not change, so a
 * change that must reach CloudFront has to change the distribution's
 * template text, and a replaced pool or client has to change the edge's.
 */
import { CLOUDFRONT_BEHAVIOURS } from '../../../infra/shared/cloudfront-behaviours';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { build, type Plugin } from 'esbuild';
import { locateBuildArtifacts, type BuildArtifacts } from '../../../infra/aws/build-artifacts';
import { resourceFingerprint } from '../../../infra/aws/deploy-fingerprint';
import { presignVersionParameterName } from '../../../infra/aws/presign-version-parameter';
import { PROJECT_ROOT, buildTestApp, resourceNamed } from './support/synth-app';

type Json = Record<string, unknown>;

const PRESIGN_ENTRY = path.join(PROJECT_ROOT, 'edge-functions/presign/index.ts');
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'edge-upload-lifecycle-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Bundles the presign function as scripts/build/presign.mjs does, optionally
 * with one line appended to edge-functions/presign/index.ts (served by a
 * plugin: the source tree is never written).
 */
async function presignArtifacts(name: string, extraLine?: string): Promise<BuildArtifacts> {
  const outfile = path.join(scratch, name, 'index.js');
  const oneLineChange: Plugin = {
    name: 'one-line-change',
    setup(b) {
      b.onLoad({ filter: /edge-functions[\\/]presign[\\/]index\.ts$/ }, (args) =>
        args.path === PRESIGN_ENTRY && extraLine !== undefined
          ? { contents: `${readFileSync(args.path, 'utf8')}\n${extraLine}\n`, loader: 'ts' }
          : undefined,
      );
    },
  };
  await build({
    entryPoints: [PRESIGN_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    mainFields: ['main'],
    conditions: ['require', 'node'],
    plugins: [oneLineChange],
  });
  const built = locateBuildArtifacts(PROJECT_ROOT);
  return {
    ...built,
    presignDir: path.dirname(outfile),
    presignBundle: outfile,
    presignBundleSha256: createHash('sha256').update(readFileSync(outfile)).digest('hex'),
  };
}

function synthWith(artifacts: BuildArtifacts) {
  const built = buildTestApp({ artifacts });
  return { built, edge: Template.fromStack(built.stacks.edge), web: Template.fromStack(built.stacks.web) };
}

function presignAssociation(web: Template): Json {
  const config = resourceNamed(web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Json;
  const pattern = CLOUDFRONT_BEHAVIOURS.find((b) => b.name === 'presign')!.pathPattern;
  const presign = (config.CacheBehaviors as Json[]).find((b) => b.PathPattern === pattern)!;
  const associations = presign.LambdaFunctionAssociations as Json[];
  expect(associations).toHaveLength(1);
  return associations[0]!;
}

function configResourceIds(edge: Template): string[] {
  return Object.keys(edge.findResources('Custom::EdgeFunctionConfig'));
}

interface SdkCallResource {
  readonly id: string;
  readonly properties: Json;
  /** The parsed AwsSdkCall of each lifecycle property (Create, Update, Delete) the resource has; each distinct token becomes `<<n>>`. */
  readonly calls: Readonly<Record<string, Json>>;
  /** The distinct tokens the calls hold, by n. */
  readonly tokens: readonly unknown[];
}

/** The one resource of `type` (an AwsCustomResource), with its SDK calls parsed. */
function sdkCallResource(template: Template, type: string): SdkCallResource {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0]!;
  const properties = (resource as { Properties: Json }).Properties;
  const tokens: unknown[] = [];
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join === undefined) throw new Error(`unexpected ${JSON.stringify(value)}`);
    const indexOf = (part: unknown): number => {
      const known = tokens.findIndex((t) => JSON.stringify(t) === JSON.stringify(part));
      return known >= 0 ? known : tokens.push(part) - 1;
    };
    return join[1].map((part) => (typeof part === 'string' ? part : `<<${indexOf(part)}>>`)).join(join[0]);
  };
  const calls = Object.fromEntries(
    ['Create', 'Update', 'Delete'].filter((k) => properties[k] !== undefined).map((k) => [k, JSON.parse(text(properties[k])) as Json]),
  );
  return { id, properties, calls, tokens };
}

/** The statements of the IAM policy that grants `resource` its SDK calls (AwsCustomResource's own policy). */
/** The one IAM statement in the template that grants `action` (the SDK-call role's), with its policy's logical id. */
function sdkCallStatement(template: Template, action: string): { policyId: string; statement: unknown } {
  const found: { policyId: string; statement: unknown }[] = [];
  for (const [policyId, r] of Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const statement of (r.Properties.PolicyDocument as { Statement: Json[] }).Statement) {
      if (JSON.stringify(statement.Action).includes(action)) found.push({ policyId, statement });
    }
  }
  expect(found).toHaveLength(1);
  return found[0]!;
}
const sdkCallPolicy = (template: Template, action: string): unknown => sdkCallStatement(template, action).statement;

const writerOf = (edge: Template) => sdkCallResource(edge, 'Custom::PresignVersionParameter');
const readerOf = (web: Template) => sdkCallResource(web, 'Custom::PresignVersionParameterRead');

describe('a change to the presign code reaches CloudFront on a plain deploy', () => {
  let before: ReturnType<typeof synthWith>;
  let after: ReturnType<typeof synthWith>;
  let again: ReturnType<typeof synthWith>;
  beforeAll(async () => {
    before = synthWith(await presignArtifacts('before'));
    after = synthWith(await presignArtifacts('after', "console.info('presign: module loaded');"));
    again = synthWith(await presignArtifacts('again'));
  }, 120_000); // three bundles and three full app syntheses: a budget, not a speed assertion

  it('builds a different bundle from a one-line change', () => {
    expect(after.built.artifacts.presignBundleSha256).not.toBe(before.built.artifacts.presignBundleSha256);
  });

  it("changes the distribution's Lambda@Edge association, so the CLI deploys the web stack", () => {
    const a = presignAssociation(before.web);
    const b = presignAssociation(after.web);
    expect(a.EventType).toBe('viewer-request');
    // The value the reader got from the parameter; a new fingerprint is a new reader, so a new logical id here.
    expect(a.LambdaFunctionARN).toEqual({ 'Fn::GetAtt': [readerOf(before.web).id, 'Parameter.Value'] });
    expect(b.LambdaFunctionARN).toEqual({ 'Fn::GetAtt': [readerOf(after.web).id, 'Parameter.Value'] });
    expect(b).not.toEqual(a);
  });

  it('is deterministic: the same code synthesizes the same association (no needless CloudFront deployment)', () => {
    expect(presignAssociation(again.web)).toEqual(presignAssociation(before.web));
    expect(configResourceIds(again.edge)).toEqual(configResourceIds(before.edge));
    expect(again.edge.toJSON()).toEqual(before.edge.toJSON());
    expect(again.web.toJSON()).toEqual(before.web.toJSON());
  });

  it('replaces the config custom resource instead of updating it, so a rollback only deletes the new one', () => {
    const [a] = configResourceIds(before.edge);
    const [b] = configResourceIds(after.edge);
    expect(configResourceIds(before.edge)).toHaveLength(1);
    expect(a).toMatch(/^PresignConfigVersion[0-9a-f]{16}/);
    expect(b).not.toBe(a);
    // The new resource's version goes into the parameter named after the same fingerprint, which the web stack reads.
    const writer = writerOf(after.edge);
    expect(writer.tokens).toEqual([{ 'Fn::GetAtt': [b, 'FunctionVersionArn'] }]);
    expect((readerOf(after.web).calls.Create!.parameters as Json).Name).toBe(
      presignVersionParameterName('edge-upload', after.built.stacks.edge.presign.configuration.fingerprint),
    );
  });

  describe('the version goes to the web stack through a parameter per fingerprint, so a web rollback resolves', () => {
    it('edge: writes /edge-upload/<app>/presign-version/<fingerprint> in its own region, overwriting, and never deletes it', () => {
      const fingerprint = after.built.stacks.edge.presign.configuration.fingerprint;
      const name = `/edge-upload/edge-upload/presign-version/${fingerprint}`;
      const writer = writerOf(after.edge);
      expect(writer.id).toContain(fingerprint);
      const put = {
        service: 'SSM',
        action: 'putParameter',
        parameters: { Name: name, Value: '<<0>>', Type: 'String', Overwrite: true },
        physicalResourceId: { id: name },
      };
      expect(writer.calls).toEqual({ Create: put, Update: put });
      expect(writer.tokens).toEqual([{ 'Fn::GetAtt': [configResourceIds(after.edge)[0], 'FunctionVersionArn'] }]);
      expect(writer.calls.Create!.region).toBeUndefined(); // the edge stack's own region, us-east-1
      expect(writer.properties.Delete).toBeUndefined();
      expect(writer.properties.InstallLatestAwsSdk).toBe(false);
      expect(sdkCallPolicy(after.edge, 'ssm:PutParameter')).toEqual({
        Action: 'ssm:PutParameter',
        Effect: 'Allow',
        Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/edge-upload/edge-upload/presign-version/*',
      });
    });

    it('web: reads exactly that name in us-east-1, allowed that one ARN, and the association is what it read', () => {
      const name = presignVersionParameterName('edge-upload', after.built.stacks.edge.presign.configuration.fingerprint);
      const reader = readerOf(after.web);
      expect(reader.id).toContain(after.built.stacks.edge.presign.configuration.fingerprint);
      const get = {
        service: 'SSM',
        action: 'getParameter',
        region: 'us-east-1',
        parameters: { Name: name },
        physicalResourceId: { id: name },
        outputPaths: ['Parameter.Value'],
      };
      expect(reader.calls).toEqual({ Create: get, Update: get });
      expect(reader.properties.InstallLatestAwsSdk).toBe(false);
      expect(sdkCallPolicy(after.web, 'ssm:GetParameter')).toEqual({
        Action: 'ssm:GetParameter',
        Effect: 'Allow',
        Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/edge-upload/edge-upload/presign-version/*',
      });
      expect(presignAssociation(after.web).LambdaFunctionARN).toEqual({ 'Fn::GetAtt': [reader.id, 'Parameter.Value'] });
      // The parameter exists before the web stack reads it: the CLI deploys the edge stack first.
      expect(after.built.stacks.web.dependencies).toContain(after.built.stacks.edge);
    });

    it('the SDK calls run with one policy per stack that no new version changes (no IAM propagation wait on a deploy)', () => {
      for (const [action, older, newer] of [
        ['ssm:PutParameter', before.edge, after.edge],
        ['ssm:GetParameter', before.web, after.web],
      ] as const) {
        const a = sdkCallStatement(older, action);
        const b = sdkCallStatement(newer, action);
        expect(b.policyId).toBe(a.policyId);
        expect(b.statement).toEqual(a.statement);
        const resources = newer.toJSON().Resources as Record<string, Json>;
        expect(resources[b.policyId]).toEqual((older.toJSON().Resources as Record<string, Json>)[a.policyId]);
      }
    });

    it('web: no cross-stack reference carries the version (no output of the config resource, no /cdk/exports parameter)', () => {
      const webText = JSON.stringify(after.web.toJSON());
      const edge = after.edge.toJSON() as { Outputs?: Record<string, { Value: unknown }> };
      const [configId] = configResourceIds(after.edge);
      expect(webText).not.toContain(configId);
      expect(webText).not.toContain('/cdk/exports/');
      expect(webText).not.toContain('Custom::CrossRegionExportReader');
      const imported: string[] = [];
      JSON.parse(webText, (key, value: unknown) => {
        if (key === 'Fn::GetStackOutput' && (value as { StackName?: string }).StackName === 'edge-upload-edge') {
          imported.push((value as { OutputName: string }).OutputName);
        }
        return value;
      });
      expect(imported.length).toBeGreaterThan(0); // the web ACL ARN still is one (a stable name)
      for (const output of imported) expect(JSON.stringify(edge.Outputs?.[output]?.Value)).not.toContain(configId);
    });

    it('a rollback of the web stack only deletes the new reader: the old reader keeps its own name, and no edge template deletes a parameter', () => {
      // The deploy: edge (before → after) succeeds, then web (before → after) fails and rolls back to `before`.
      const oldReader = readerOf(before.web);
      const newReader = readerOf(after.web);
      // Different logical ids: CloudFormation creates the new reader and, on rollback, deletes it; the old one is
      // never updated, so its attribute (what the old distribution config names) is never read again.
      expect(newReader.id).not.toBe(oldReader.id);
      expect(after.web.toJSON().Resources[oldReader.id]).toBeUndefined();
      const oldName = (oldReader.calls.Create!.parameters as Json).Name;
      const newName = (newReader.calls.Create!.parameters as Json).Name;
      expect(oldName).not.toBe(newName);
      expect(oldName).toBe((writerOf(before.edge).calls.Create!.parameters as Json).Name);
      // The edge deploy deleted the old writer, which has no Delete call; nothing in the new edge template deletes parameters.
      expect(writerOf(before.edge).properties.Delete).toBeUndefined();
      const newEdge = after.edge.toJSON() as { Resources: Record<string, { Type: string; Properties?: Json }> };
      for (const [id, r] of Object.entries(newEdge.Resources)) {
        // A CloudFormation parameter resource or CDK's export writer would delete its parameter with itself.
        expect(`${id} ${r.Type}`).not.toMatch(/ (AWS::SSM::Parameter|Custom::CrossRegionExportWriter)$/);
        // An AwsCustomResource deletes only through a Delete call.
        if (r.Type.startsWith('Custom::')) expect(`${id} ${JSON.stringify(r.Properties?.Delete)}`).toBe(`${id} undefined`);
      }
      expect(JSON.stringify(newEdge)).not.toMatch(/ssm:DeleteParameters?\b|deleteParameter/);
    });
  });
});

describe('a replaced user pool or app client reaches the edge config on a plain deploy', () => {
  const poolIn = (id: string, usernameAttributes: cognito.SignInAliases) => {
    const stack = new Stack(new App(), 'Data', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pool = new cognito.UserPool(stack, id, { signInAliases: usernameAttributes });
    return [pool, pool.addClient('Client')];
  };

  it('fingerprints the definitions: a replacing property or a new logical id changes it', () => {
    const base = resourceFingerprint(poolIn('Pool', { email: true }));
    expect(resourceFingerprint(poolIn('Pool', { email: true }))).toBe(base);
    expect(resourceFingerprint(poolIn('Pool', { phone: true }))).not.toBe(base);
    expect(resourceFingerprint(poolIn('OtherPool', { email: true }))).not.toBe(base);
  });

  it("writes the data stack's pool, client and key fingerprint into the edge config resource (its id and its properties)", () => {
    const { stacks } = buildTestApp();
    const expected = resourceFingerprint([stacks.data.users.userPool, stacks.data.users.client, stacks.data.uploadKey.key]);
    const edge = Template.fromStack(stacks.edge);
    const [id] = configResourceIds(edge);
    expect((edge.toJSON().Resources[id!] as { Properties: Json }).Properties.SourceFingerprint).toBe(expected);
    expect(stacks.edge.presign.configuration.fingerprint).toBe(
      id!.slice('PresignConfigVersion'.length, 'PresignConfigVersion'.length + 16),
    );
  });
});

describe('origin-verify secret rotation: one deploy moves CloudFront and the regional web ACL together', () => {
  const V1 = 'a1b2c3d4-5678-90ab-cdef-000000000001';
  const V2 = 'a1b2c3d4-5678-90ab-cdef-000000000002';
  const pinned = (version: string) => ({
    'Fn::Join': [
      '',
      ['{{resolve:secretsmanager:', { Ref: expect.stringMatching(/^AuthOriginVerifySecret/) }, `:SecretString:::${version}}}`],
    ],
  });
  const webWith = (context: Record<string, unknown>) => Template.fromStack(buildTestApp({ context }).stacks.web);
  const sentHeader = (web: Template): unknown => {
    const config = resourceNamed(web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Json;
    const api = (config.Origins as Json[]).find((o) => o.OriginCustomHeaders !== undefined)!;
    return (api.OriginCustomHeaders as Array<{ HeaderName: string; HeaderValue: unknown }>).find((h) => h.HeaderName === 'x-origin-verify')!
      .HeaderValue;
  };
  const acceptedRules = (web: Template): Array<{ name: unknown; value: unknown; sampled: unknown }> => {
    const acl = resourceNamed(web, 'AWS::WAFv2::WebACL', 'AuthOriginVerifyWebAcl').properties;
    return (acl.Rules as Json[]).map((r) => ({
      name: r.Name,
      value: ((r.Statement as Json).ByteMatchStatement as Json).SearchString,
      sampled: (r.VisibilityConfig as Json).SampledRequestsEnabled,
    }));
  };

  let unpinned: Template;
  let rotating: Template;
  let rotated: Template;
  beforeAll(() => {
    unpinned = webWith({});
    rotating = webWith({ originVerifySecretVersionId: V2, originVerifyPreviousSecretVersionId: V1 });
    rotated = webWith({ originVerifySecretVersionId: V2 });
  }, 120_000);

  it('pins the version in both references, so a new version id changes the web template (the CLI deploys it)', () => {
    expect(sentHeader(rotated)).toEqual(pinned(V2));
    expect(acceptedRules(rotated)).toEqual([{ name: 'from-cloudfront', value: pinned(V2), sampled: false }]);
    expect(sentHeader(rotated)).not.toEqual(sentHeader(unpinned));
  });

  it('while rotating, sends the new version and still accepts the previous one (CloudFront propagates for minutes)', () => {
    expect(sentHeader(rotating)).toEqual(pinned(V2));
    expect(acceptedRules(rotating)).toEqual([
      { name: 'from-cloudfront', value: pinned(V2), sampled: false },
      { name: 'from-cloudfront-previous-secret', value: pinned(V1), sampled: false },
    ]);
  });
});

describe('redeploy after destroy, and the edge log groups (README, "Updating a deployment")', () => {
  let built: ReturnType<typeof buildTestApp>;
  beforeAll(() => {
    built = buildTestApp();
  }, 120_000);

  it('retains only what the README describes, and the one with a fixed name can be imported (static name, Retain)', () => {
    const retained: string[] = [];
    for (const stack of Object.values(built.stacks)) {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; DeletionPolicy?: string; Properties?: Json }
      >;
      for (const [id, r] of Object.entries(resources)) {
        if (r.DeletionPolicy !== 'Retain') continue;
        retained.push(`${stack.stackName}/${r.Type}`);
        if (r.Type === 'AWS::S3::Bucket' && id.startsWith('UploadsBucket')) {
          expect(r.Properties?.BucketName).toBe(built.config.uploadBucketName); // literal text: auto-import needs a static name
        }
      }
    }
    expect(retained.sort()).toEqual(
      [
        'edge-upload-data/AWS::Cognito::UserPool',
        'edge-upload-data/AWS::KMS::Key',
        'edge-upload-data/AWS::S3::Bucket',
        'edge-upload-uploads/AWS::S3::Bucket',
        // API Gateway's account-level logging role and its setting: generated name; an account setting, never "already exists".
        'edge-upload-web/AWS::ApiGateway::Account',
        'edge-upload-web/AWS::IAM::Role',
        // CDK BucketDeployment's log group: named after its generated function name, so never a collision.
        'edge-upload-web/AWS::Logs::LogGroup',
      ].sort(),
    );
  });

  it('documents a retention command for exactly the log group the presign role writes in every region', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'infra/aws/README.md'), 'utf8');
    const command = readme.split('\n').find((line) => line.includes('put-retention-policy'));
    const group = `/aws/lambda/us-east-1.${built.config.appName}-presign`;
    expect(command).toContain(`--log-group-name ${group} --retention-in-days 90`);
    const policy = JSON.stringify(Template.fromStack(built.stacks.edge).findResources('AWS::IAM::Policy'));
    expect(policy).toContain(`:logs:*:111111111111:log-group:${group}`);
    for (const heading of [
      '## Updating a deployment',
      '### Redeploy after `cdk destroy`',
      '### What still needs a real account to prove',
    ]) {
      expect(readme).toContain(heading);
    }
  });
});
