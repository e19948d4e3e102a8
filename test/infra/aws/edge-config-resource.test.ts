/**
 * The edge-config custom resource handler, with the real Lambda client
 * stubbed by aws-sdk-client-mock and the network replaced by a fake fetcher:
 * real RSA keys, real zips, and the edge's own config parser as the judge of
 * what gets published.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import {
  createEdgeConfigResourceHandler,
  type EdgeConfigResourceEvent,
} from '../../../infra/aws/custom-resources/edge-config/edge-config-resource';
import {
  FunctionNotReadyError,
  FunctionPackageError,
  InvalidResourcePropertiesError,
  JwksUnavailableError,
} from '../../../infra/aws/custom-resources/edge-config/errors';
import { HttpsFetcher, type Fetcher } from '../../../infra/aws/custom-resources/edge-config/fetcher';
import { CONFIG_FILE_NAME, withConfigFile } from '../../../infra/aws/custom-resources/edge-config/function-package';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:edge-upload-presign';
const POOL = 'eu-west-1_AbCdEfGhI';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;
const CODE_URL = 'https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/package.zip?X-Amz-Signature=abc';
const BUNDLE = 'exports.handler = async () => ({ status: "200" });\n';

const APP_CONFIG = {
  issuer: ISSUER,
  clientId: '1example23456789',
  bucket: 'edge-upload-uploads-111111111111-eu-west-1',
  region: 'eu-west-1',
  uploadUrl: 'https://edge-upload-uploads-111111111111-eu-west-1.s3-accelerate.amazonaws.com/',
  kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  policyTtlSeconds: 300,
};

function rsaJwk(kid: string) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}
const JWKS = { keys: [rsaJwk('key-1'), rsaJwk('key-2')] };

function packageZip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

class FakeFetcher implements Fetcher {
  readonly requests: string[] = [];
  constructor(private readonly answers: Record<string, Uint8Array | Error>) {}
  async fetchBytes(url: string, maxBytes: number): Promise<Uint8Array> {
    this.requests.push(url);
    const answer = this.answers[url];
    if (answer === undefined) throw new Error(`unexpected fetch of ${url}`);
    if (answer instanceof Error) throw answer;
    if (answer.byteLength > maxBytes) throw new Error('too large');
    return answer;
  }
}

function event(requestType: EdgeConfigResourceEvent['RequestType'], properties: Record<string, unknown> = {}): EdgeConfigResourceEvent {
  return {
    RequestType: requestType,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider',
      FunctionName: FUNCTION_ARN,
      Config: JSON.stringify(APP_CONFIG),
      JwksUrl: JWKS_URL,
      PackageSha256: 'f'.repeat(64),
      ...properties,
    },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `${FUNCTION_ARN}:6` }),
  };
}

const lambda = mockClient(LambdaClient);
let logLines: Array<Readonly<Record<string, string | number>>>;
let sleeps: number[];

/** A fixed "fresh" ticket key, so that packages compare equal; production draws a random one. */
const FRESH_TICKET_KEY = { id: 'fresh', secret: Buffer.alloc(32, 'fresh-ticket-key').toString('base64') };

function handlerWith(
  fetcher: Fetcher,
  readiness = { attempts: 5, intervalMs: 10 },
  /** null: let the handler draw a random key */ newTicketKey: (() => { id: string; secret: string }) | null = () => FRESH_TICKET_KEY,
) {
  return createEdgeConfigResourceHandler({
    ...(newTicketKey === null ? {} : { newTicketKey }),
    lambda: new LambdaClient({ region: 'us-east-1' }),
    fetcher,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (line) => logLines.push(line),
    readiness,
  });
}

function defaultFetcher(pkg: Uint8Array = packageZip({ 'index.js': BUNDLE })): FakeFetcher {
  return new FakeFetcher({ [JWKS_URL]: strToU8(JSON.stringify(JWKS)), [CODE_URL]: pkg });
}

/** The zip the handler uploaded as the function's code. */
function uploadedPackage(): Record<string, string> {
  const calls = lambda.commandCalls(UpdateFunctionCodeCommand);
  expect(calls).toHaveLength(1);
  const zip = calls[0]!.args[0].input.ZipFile;
  expect(zip).toBeInstanceOf(Uint8Array);
  return Object.fromEntries(Object.entries(unzipSync(zip as Uint8Array)).map(([name, data]) => [name, strFromU8(data)]));
}

beforeEach(() => {
  lambda.reset();
  logLines = [];
  sleeps = [];
  lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
  lambda.on(GetFunctionCommand).resolves({ Code: { Location: CODE_URL, RepositoryType: 'S3' } });
  // No version published yet (a first deploy): ticket-key carry-over is in edge-config-ticket-keys.test.ts.
  lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }] });
  lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'sha-of-new-package' });
  lambda.on(PublishVersionCommand).resolves({ Version: '7', FunctionArn: `${FUNCTION_ARN}:7` });
});

describe('Create and Update', () => {
  it.each(['Create', 'Update'] as const)('%s: writes config.json beside index.js and publishes a version', async (type) => {
    const fetcher = defaultFetcher();
    const result = await handlerWith(fetcher)(event(type));

    expect(result.PhysicalResourceId).toBe(`${FUNCTION_ARN}:7`);
    expect(result.Data).toEqual({
      FunctionVersionArn: `${FUNCTION_ARN}:7`,
      Version: '7',
      ConfigSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(fetcher.requests).toEqual([JWKS_URL, CODE_URL]);

    const files = uploadedPackage();
    expect(Object.keys(files).sort()).toEqual([CONFIG_FILE_NAME, 'index.js']);
    expect(files['index.js']).toBe(BUNDLE);
    expect(JSON.parse(files[CONFIG_FILE_NAME]!)).toEqual({ ...APP_CONFIG, jwks: JWKS, multipartTicketKeys: [FRESH_TICKET_KEY] });
  });

  it('signs tickets with a fresh key each deploy and keeps the keys of the newest published version, not of $LATEST', async () => {
    const previous = { id: 'previous', secret: Buffer.alloc(32, 'previous').toString('base64') };
    const older = { id: 'older', secret: Buffer.alloc(32, 'older').toString('base64') };
    const stale = { id: 'stale', secret: Buffer.alloc(32, 'stale').toString('base64') };
    const LIVE_URL = 'https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/version-6.zip?X-Amz-Signature=def';
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }, { Version: '5' }, { Version: '6' }] });
    lambda
      .on(GetFunctionCommand, { FunctionName: FUNCTION_ARN, Qualifier: '6' })
      .resolves({ Code: { Location: LIVE_URL, RepositoryType: 'S3' } });
    const live = packageZip({
      'index.js': BUNDLE,
      [CONFIG_FILE_NAME]: JSON.stringify({ ...APP_CONFIG, jwks: JWKS, multipartTicketKeys: [previous, older] }),
    });
    const latest = packageZip({
      'index.js': BUNDLE,
      [CONFIG_FILE_NAME]: JSON.stringify({ ...APP_CONFIG, jwks: JWKS, multipartTicketKeys: [stale] }),
    });
    const fetcher = new FakeFetcher({ [JWKS_URL]: strToU8(JSON.stringify(JWKS)), [CODE_URL]: latest, [LIVE_URL]: live });
    await handlerWith(fetcher)(event('Update'));
    expect(fetcher.requests).toEqual([JWKS_URL, CODE_URL, LIVE_URL]);
    const config = parseEdgeConfig(JSON.parse(uploadedPackage()[CONFIG_FILE_NAME]!), 300);
    expect(config.multipartTicketKeys.map((key) => key.id)).toEqual(['fresh', 'previous', 'older']);
  });

  it('fails rather than drop the live keys when the published version cannot be downloaded', async () => {
    const LIVE_URL = 'https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/version-6.zip?X-Amz-Signature=def';
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }, { Version: '6' }] });
    lambda
      .on(GetFunctionCommand, { FunctionName: FUNCTION_ARN, Qualifier: '6' })
      .resolves({ Code: { Location: LIVE_URL, RepositoryType: 'S3' } });
    const fetcher = new FakeFetcher({
      [JWKS_URL]: strToU8(JSON.stringify(JWKS)),
      [CODE_URL]: packageZip({ 'index.js': BUNDLE }),
      [LIVE_URL]: new Error('HTTP 403'),
    });
    await expect(handlerWith(fetcher)(event('Create'))).rejects.toThrow(/Cannot download version 6 .*ticket keys.*HTTP 403/);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('draws a random 32-byte ticket key when none is pinned, and never logs it', async () => {
    const run = async () => {
      lambda.resetHistory();
      await handlerWith(defaultFetcher(), undefined, null)(event('Create'));
      return (JSON.parse(uploadedPackage()[CONFIG_FILE_NAME]!) as { multipartTicketKeys: { id: string; secret: string }[] })
        .multipartTicketKeys;
    };
    const [first, second] = [await run(), await run()];
    expect(first).toHaveLength(1);
    expect(Buffer.from(first![0]!.secret, 'base64')).toHaveLength(32);
    expect(second![0]!.secret).not.toBe(first![0]!.secret);
    expect(JSON.stringify(logLines)).not.toContain(first![0]!.secret);
  });

  it('publishes a config the edge itself accepts, with the JWKS baked in', async () => {
    await handlerWith(defaultFetcher())(event('Create'));
    const config = parseEdgeConfig(JSON.parse(uploadedPackage()[CONFIG_FILE_NAME]!), 300);
    expect(config.jwks.keys.map((key) => key.kid)).toEqual(['key-1', 'key-2']);
    expect(config.issuer).toBe(ISSUER);
    expect(config.local).toBe(false);
  });

  it('replaces a config.json left by an earlier deployment', async () => {
    const stale = packageZip({ 'index.js': BUNDLE, [CONFIG_FILE_NAME]: '{"issuer":"https://old"}' });
    await handlerWith(defaultFetcher(stale))(event('Update'));
    expect(JSON.parse(uploadedPackage()[CONFIG_FILE_NAME]!).issuer).toBe(ISSUER);
  });

  it('publishes exactly the code it uploaded (CodeSha256) and describes the config', async () => {
    await handlerWith(defaultFetcher())(event('Create'));
    const publish = lambda.commandCalls(PublishVersionCommand);
    expect(publish).toHaveLength(1);
    expect(publish[0]!.args[0].input).toEqual({
      FunctionName: FUNCTION_ARN,
      CodeSha256: 'sha-of-new-package',
      Description: expect.stringMatching(/^config\.json sha256 [0-9a-f]{16}$/),
    });
  });

  it('waits until the function has settled before changing it, and checks the new version', async () => {
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolvesOnce({ State: 'Pending' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await handlerWith(defaultFetcher())(event('Create'));
    expect(sleeps).toEqual([10, 10]);
    const checks = lambda.commandCalls(GetFunctionConfigurationCommand).map((call) => call.args[0].input);
    expect(checks.at(-1)).toEqual({ FunctionName: FUNCTION_ARN, Qualifier: '7' });
  });

  it('logs one line without the config itself', async () => {
    await handlerWith(defaultFetcher())(event('Create'));
    expect(logLines).toEqual([
      { event: 'edge-config-published', function: FUNCTION_ARN, version: '7', configSha256: expect.any(String), jwksKeys: 2 },
    ]);
  });

  it('produces the same package for the same inputs', async () => {
    await handlerWith(defaultFetcher())(event('Create'));
    const first = lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input.ZipFile;
    lambda.resetHistory();
    await handlerWith(defaultFetcher())(event('Update'));
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input.ZipFile).toEqual(first);
  });
});

describe('failures stop the deployment before the function is touched', () => {
  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an http issuer', { Config: JSON.stringify({ ...APP_CONFIG, issuer: 'http://cognito.example' }) }, /"issuer" must use https/],
    ['a missing client id', { Config: JSON.stringify({ ...APP_CONFIG, clientId: undefined }) }, /"clientIds"/],
    ['a bucket name S3 would refuse', { Config: JSON.stringify({ ...APP_CONFIG, bucket: 'Not_A_Bucket' }) }, /"bucket"/],
    ['a config carrying its own JWKS', { Config: JSON.stringify({ ...APP_CONFIG, jwks: JWKS }) }, /must not carry "jwks"/],
    ['a config asking for local mode', { Config: JSON.stringify({ ...APP_CONFIG, local: true }) }, /"local"/],
    [
      'a config carrying its own ticket keys',
      { Config: JSON.stringify({ ...APP_CONFIG, multipartTicketKeys: [] }) },
      /must not carry "multipartTicketKeys"/,
    ],
    ['config text that is not JSON', { Config: '{"issuer":' }, /Config must be a JSON object/],
    ['a missing function name', { FunctionName: undefined }, /FunctionName must be a non-empty string/],
    ['a JWKS URL that is not https', { JwksUrl: 'http://example.com/.well-known/jwks.json' }, /JwksUrl must be an https URL/],
  ];
  it.each(refusals)('refuses %s', async (_name, properties, message) => {
    const attempt = handlerWith(defaultFetcher())(event('Create', properties));
    await expect(attempt).rejects.toThrow(InvalidResourcePropertiesError);
    await expect(handlerWith(defaultFetcher())(event('Create', properties))).rejects.toThrow(message);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(0);
  });

  it('refuses properties that are not an object', async () => {
    await expect(handlerWith(defaultFetcher())({ RequestType: 'Create', ResourceProperties: null })).rejects.toThrow(
      InvalidResourcePropertiesError,
    );
  });

  it.each([
    ['the JWKS cannot be fetched', new Error('HTTP 503'), /HTTP 503/],
    ['the JWKS is not JSON', strToU8('<html>'), /not JSON/],
    ['the JWKS has no keys', strToU8('{"keys":[]}'), /no "keys"/],
  ])('fails when %s', async (_name, answer, message) => {
    const fetcher = new FakeFetcher({ [JWKS_URL]: answer, [CODE_URL]: packageZip({ 'index.js': BUNDLE }) });
    const attempt = handlerWith(fetcher)(event('Create'));
    await expect(attempt).rejects.toThrow(JwksUnavailableError);
    await expect(handlerWith(fetcher)(event('Create'))).rejects.toThrow(message);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('refuses a JWKS whose keys the edge would not accept (not RSA)', async () => {
    const ecKeys = { keys: [{ kid: 'ec', kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] };
    const fetcher = new FakeFetcher({ [JWKS_URL]: strToU8(JSON.stringify(ecKeys)), [CODE_URL]: packageZip({ 'index.js': BUNDLE }) });
    await expect(handlerWith(fetcher)(event('Create'))).rejects.toThrow(/must be an RSA key/);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('refuses a package without index.js', async () => {
    await expect(handlerWith(defaultFetcher(packageZip({ 'other.js': BUNDLE })))(event('Create'))).rejects.toThrow(FunctionPackageError);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('refuses a package that is not a zip', async () => {
    await expect(handlerWith(defaultFetcher(strToU8('not a zip')))(event('Create'))).rejects.toThrow(FunctionPackageError);
  });

  it('fails when the package cannot be downloaded', async () => {
    const fetcher = new FakeFetcher({ [JWKS_URL]: strToU8(JSON.stringify(JWKS)), [CODE_URL]: new Error('HTTP 403') });
    await expect(handlerWith(fetcher)(event('Create'))).rejects.toThrow(/Cannot download the package .*HTTP 403/);
  });

  it('fails when the function has no code package to download', async () => {
    lambda.on(GetFunctionCommand).resolves({ Code: { ImageUri: 'image' } });
    await expect(handlerWith(defaultFetcher())(event('Create'))).rejects.toThrow(FunctionPackageError);
  });
});

/** Answers like FakeFetcher, but the first `failures` requests to each URL fail as a network blip would. */
class BlinkingFetcher extends FakeFetcher {
  private readonly failed = new Map<string, number>();
  constructor(
    answers: Record<string, Uint8Array | Error>,
    private readonly failures: number,
  ) {
    super(answers);
  }
  override async fetchBytes(url: string, maxBytes: number): Promise<Uint8Array> {
    const count = this.failed.get(url) ?? 0;
    if (count < this.failures) {
      this.failed.set(url, count + 1);
      this.requests.push(url);
      throw new Error('getaddrinfo EAI_AGAIN');
    }
    return super.fetchBytes(url, maxBytes);
  }
}

describe('a network blip does not fail the deployment (or a rollback)', () => {
  const blinking = (failures: number) =>
    new BlinkingFetcher({ [JWKS_URL]: strToU8(JSON.stringify(JWKS)), [CODE_URL]: packageZip({ 'index.js': BUNDLE }) }, failures);

  it('retries the JWKS and the package download once each after one failure, then publishes', async () => {
    const fetcher = blinking(1);
    const result = await handlerWith(fetcher)(event('Update'));
    expect(result.PhysicalResourceId).toBe(`${FUNCTION_ARN}:7`);
    expect(fetcher.requests).toEqual([JWKS_URL, JWKS_URL, CODE_URL, CODE_URL]);
    expect(uploadedPackage()[CONFIG_FILE_NAME]).toContain('"key-1"');
    expect(logLines.filter((l) => l.event === 'edge-config-fetch-retry')).toEqual([
      { event: 'edge-config-fetch-retry', host: 'cognito-idp.eu-west-1.amazonaws.com', attempt: 1, error: 'getaddrinfo EAI_AGAIN' },
      // The package URL is pre-signed: only its host is logged.
      {
        event: 'edge-config-fetch-retry',
        host: 'awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com',
        attempt: 1,
        error: 'getaddrinfo EAI_AGAIN',
      },
    ]);
  });

  it('backs off exponentially, and gives up after the configured attempts without touching the function', async () => {
    const fetcher = blinking(10);
    const handler = createEdgeConfigResourceHandler({
      lambda: new LambdaClient({ region: 'us-east-1' }),
      fetcher,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      log: (line) => logLines.push(line),
      fetchRetry: { attempts: 4, firstDelayMs: 500 },
    });
    await expect(handler(event('Create'))).rejects.toThrow(JwksUnavailableError);
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(fetcher.requests).toEqual([JWKS_URL, JWKS_URL, JWKS_URL, JWKS_URL]);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('does not retry an answer that is there but wrong (not a blip)', async () => {
    const fetcher = new FakeFetcher({ [JWKS_URL]: strToU8('{"keys":[]}'), [CODE_URL]: packageZip({ 'index.js': BUNDLE }) });
    await expect(handlerWith(fetcher)(event('Create'))).rejects.toThrow(/no "keys"/);
    expect(fetcher.requests).toEqual([JWKS_URL]);
  });
});

describe('failures after the update', () => {
  it('fails when the code update fails', async () => {
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'Successful' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidZipFileException' });
    await expect(handlerWith(defaultFetcher())(event('Create'))).rejects.toThrow(/InvalidZipFileException/);
    expect(lambda.commandCalls(PublishVersionCommand)).toHaveLength(0);
  });

  it('gives up when the function never settles', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'InProgress' });
    await expect(handlerWith(defaultFetcher(), { attempts: 3, intervalMs: 1 })(event('Create'))).rejects.toThrow(FunctionNotReadyError);
    expect(sleeps).toHaveLength(3);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('fails when publishing returns no numbered version', async () => {
    lambda.on(PublishVersionCommand).resolves({ Version: '$LATEST', FunctionArn: FUNCTION_ARN });
    await expect(handlerWith(defaultFetcher())(event('Create'))).rejects.toThrow(FunctionNotReadyError);
  });
});

describe('Delete', () => {
  it('leaves the function alone and keeps the physical id', async () => {
    const fetcher = defaultFetcher();
    const result = await handlerWith(fetcher)(event('Delete'));
    expect(result).toEqual({ PhysicalResourceId: `${FUNCTION_ARN}:6` });
    expect(lambda.calls()).toHaveLength(0);
    expect(fetcher.requests).toEqual([]);
  });
});

describe('withConfigFile', () => {
  it('writes every entry world-readable, as Lambda needs', () => {
    const zip = withConfigFile(packageZip({ 'index.js': BUNDLE, 'lib/util.js': 'x' }), '{}');
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([CONFIG_FILE_NAME, 'index.js', 'lib/util.js']);
    // The central directory's external attributes hold the Unix mode in the high 16 bits (rw-r--r--).
    const view = Buffer.from(zip);
    let modes = 0;
    for (let at = view.indexOf('PK\u0001\u0002'); at !== -1; at = view.indexOf('PK\u0001\u0002', at + 4)) {
      expect((view.readUInt32LE(at + 38) >>> 16) & 0o777).toBe(0o644);
      modes++;
    }
    expect(modes).toBe(3);
  });
});

describe('HttpsFetcher', () => {
  it('refuses anything but https before any request', async () => {
    await expect(new HttpsFetcher().fetchBytes('http://example.com/jwks.json', 1024)).rejects.toThrow(/only https/);
  });
});
