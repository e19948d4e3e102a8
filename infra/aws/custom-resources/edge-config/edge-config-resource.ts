/**
 * The deploy-time configuration of the presign Lambda@Edge function (docs/edge-config.md).
 *
 * Lambda@Edge has no environment variables, and the user pool id, client id
 * and signing keys exist only once Cognito has been created, so on every
 * Create and Update this custom resource:
 *
 * 1. fetches the user pool's JWKS (so a cold start at the edge makes no network call);
 * 2. builds config.json and checks it with the very parser the edge runs at
 *    cold start (a config the edge would refuse fails the deploy, not the edge),
 *    with a fresh random multipart ticket key that signs, and the keys of
 *    the newest published version that may still verify a live ticket
 *    (ticket-keys.ts). They are read from that version, not from $LATEST:
 *    a code deploy has already replaced $LATEST with the bare bundle;
 * 3. downloads the function's package ($LATEST), puts config.json beside
 *    index.js and uploads it as the function's code;
 * 4. publishes a new version (CloudFront needs a numbered version) and returns
 *    its ARN as the physical id, which the distribution then uses.
 *
 * A Delete does nothing: old versions go with the function (CloudFront may
 * still hold replicas of them for a while, which Lambda cleans up itself).
 *
 * Rollback never runs this handler's publishing path: the CDK app gives the
 * resource a new logical id whenever its inputs change (EdgeConfigDeployment),
 * so a deploy Creates a new resource and a rollback only Deletes it, which
 * leaves the function alone; the distribution goes back to the version the
 * old resource published (old code with its own config). An Update with the
 * same logical id cannot publish "new code + old config" either: it always
 * packages the code that is in $LATEST with the config of the event.
 *
 * Network reads (the JWKS, the package) are retried with exponential
 * back-off: a single failed request must not fail a deployment.
 *
 * The handler is for the CDK provider framework (aws-cdk-lib/custom-resources):
 * it returns the result or throws, and the framework answers CloudFormation.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  type GetFunctionConfigurationCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { parseEdgeConfig } from '../../../../edge-functions/core/edge-config';
import { safeJsonParse } from '../../../../edge-functions/core/safe-json';
import { DEFAULT_UPLOAD_RULES } from '../../../../edge-functions/core/upload-rules';
import { FunctionNotReadyError, FunctionPackageError, InvalidResourcePropertiesError, JwksUnavailableError } from './errors';
import type { Fetcher } from './fetcher';
import { readConfigFile, withConfigFile } from './function-package';
import { nextTicketKeys, ticketKeysOf, type TicketKeyConfig } from './ticket-keys';

export type { TicketKeyConfig } from './ticket-keys';

/** What the CDK app puts in the custom resource's properties. */
export interface EdgeConfigResourceProperties {
  /** Name or unqualified ARN of the presign function. */
  readonly FunctionName: string;
  /** config.json without `jwks`, as JSON text (CloudFormation would turn numbers into strings). */
  readonly Config: string;
  /** `<issuer>/.well-known/jwks.json`. */
  readonly JwksUrl: string;
}

/** The CloudFormation event, as far as this handler reads it. */
export interface EdgeConfigResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: unknown;
  readonly PhysicalResourceId?: string;
}

export interface EdgeConfigResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: {
    readonly FunctionVersionArn: string;
    readonly Version: string;
    readonly ConfigSha256: string;
  };
}

export interface EdgeConfigResourceDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly fetcher: Fetcher;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: Readonly<Record<string, string | number>>) => void;
  /** How long to wait for the function to settle after each change. */
  readonly readiness?: { readonly attempts: number; readonly intervalMs: number };
  /** How often a network read is tried, and the first pause (doubled after each failure). */
  readonly fetchRetry?: { readonly attempts: number; readonly firstDelayMs: number };
  /** A fresh multipart ticket key; random unless a test pins it. */
  readonly newTicketKey?: () => TicketKeyConfig;
  /** The deploy's clock (when the previous keys retire); the real one unless a test pins it. */
  readonly now?: () => Date;
}

function randomTicketKey(): TicketKeyConfig {
  return { id: `k${Date.now().toString(36)}${randomBytes(3).toString('hex')}`, secret: randomBytes(32).toString('base64') };
}

/** A JWKS is a few keys: a few KB. Anything near this is not a JWKS. */
const MAX_JWKS_BYTES = 64 * 1024;
/** Lambda's limit for a zip uploaded directly is 50 MB; the presign bundle is ~50 KB. */
const MAX_PACKAGE_BYTES = 50 * 1024 * 1024;
const DEFAULT_READINESS = { attempts: 90, intervalMs: 2000 };
/** 5 tries over ~15 s (1 + 2 + 4 + 8): enough for a blip, well within the handler's 10 minutes. */
const DEFAULT_FETCH_RETRY = { attempts: 5, firstDelayMs: 1000 };
const JWKS_PATH = '/.well-known/jwks.json';

export function createEdgeConfigResourceHandler(deps: EdgeConfigResourceDependencies) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  const readiness = deps.readiness ?? DEFAULT_READINESS;
  const fetchRetry = deps.fetchRetry ?? DEFAULT_FETCH_RETRY;

  /** GET with back-off; the last error is thrown. Every read here is idempotent. */
  async function fetchWithRetry(url: string, maxBytes: number): Promise<Uint8Array> {
    let delay = fetchRetry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.fetcher.fetchBytes(url, maxBytes);
      } catch (error: unknown) {
        if (attempt >= fetchRetry.attempts) throw error;
        // The URL may be a pre-signed package URL: log the host only, never the query.
        log({ event: 'edge-config-fetch-retry', host: hostOf(url), attempt, error: describe(error) });
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  async function waitUntilReady(functionName: string, qualifier?: string): Promise<void> {
    for (let attempt = 1; attempt <= readiness.attempts; attempt++) {
      const state: GetFunctionConfigurationCommandOutput = await deps.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: functionName, ...(qualifier === undefined ? {} : { Qualifier: qualifier }) }),
      );
      if (state.State === 'Failed' || state.LastUpdateStatus === 'Failed') {
        throw new FunctionNotReadyError(
          `${functionName}${qualifier === undefined ? '' : `:${qualifier}`} failed: ${state.StateReasonCode ?? state.LastUpdateStatusReasonCode ?? 'no reason given'}`,
        );
      }
      const settled = state.State === 'Active' && (state.LastUpdateStatus === undefined || state.LastUpdateStatus === 'Successful');
      if (settled) return;
      await sleep(readiness.intervalMs);
    }
    throw new FunctionNotReadyError(`${functionName} did not become ready after ${readiness.attempts} checks.`);
  }

  /** The config.json of the newest published version, if there is one and it has one. */
  async function publishedConfig(functionName: string): Promise<string | undefined> {
    const version = await newestPublishedVersion(functionName);
    if (version === undefined) return undefined;
    const published = await deps.lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: version }));
    const location = published.Code?.Location;
    if (location === undefined) throw new FunctionPackageError(`Version ${version} of ${functionName} has no downloadable code package.`);
    try {
      return readConfigFile(await fetchWithRetry(location, MAX_PACKAGE_BYTES));
    } catch (error: unknown) {
      // Failing beats publishing without the live keys: that would void every multipart upload in flight.
      throw new FunctionPackageError(`Cannot download version ${version} of ${functionName} (for its ticket keys): ${describe(error)}`);
    }
  }

  /** The highest numbered version; the list is paged (50 a page) and every deploy adds one. */
  async function newestPublishedVersion(functionName: string): Promise<string | undefined> {
    let newest: number | undefined;
    let marker: string | undefined;
    do {
      const page = await deps.lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: functionName, ...(marker === undefined ? {} : { Marker: marker }) }),
      );
      for (const entry of page.Versions ?? []) {
        const number = /^[1-9]\d*$/.test(entry.Version ?? '') ? Number(entry.Version) : undefined;
        if (number !== undefined && (newest === undefined || number > newest)) newest = number;
      }
      marker = page.NextMarker;
    } while (marker !== undefined);
    return newest === undefined ? undefined : String(newest);
  }

  return async function onEvent(event: EdgeConfigResourceEvent): Promise<EdgeConfigResourceResult> {
    if (event.RequestType === 'Delete') {
      return { PhysicalResourceId: event.PhysicalResourceId ?? 'edge-config-not-created' };
    }
    const props = parseProperties(event.ResourceProperties);

    const jwks = await fetchJwks(fetchWithRetry, props.JwksUrl);

    await waitUntilReady(props.FunctionName);
    const current = await deps.lambda.send(new GetFunctionCommand({ FunctionName: props.FunctionName }));
    const location = current.Code?.Location;
    if (location === undefined)
      throw new FunctionPackageError(`${props.FunctionName} has no downloadable code package (is it a container image?).`);
    let packageZip: Uint8Array;
    try {
      packageZip = await fetchWithRetry(location, MAX_PACKAGE_BYTES);
    } catch (error: unknown) {
      throw new FunctionPackageError(`Cannot download the package of ${props.FunctionName}: ${describe(error)}`);
    }
    const previousKeys = ticketKeysOf(await publishedConfig(props.FunctionName));
    const ticketKeys = nextTicketKeys(previousKeys, (deps.newTicketKey ?? randomTicketKey)(), (deps.now ?? (() => new Date()))());
    const configJson = buildConfigJson(props.Config, jwks, ticketKeys);
    const configSha256 = createHash('sha256').update(configJson).digest('hex');

    const updated = await deps.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: props.FunctionName, ZipFile: withConfigFile(packageZip, configJson) }),
    );
    await waitUntilReady(props.FunctionName);

    // CodeSha256 makes the publication fail if anything changed the code since our update.
    const published = await deps.lambda.send(
      new PublishVersionCommand({
        FunctionName: props.FunctionName,
        ...(updated.CodeSha256 === undefined ? {} : { CodeSha256: updated.CodeSha256 }),
        Description: `config.json sha256 ${configSha256.slice(0, 16)}`,
      }),
    );
    const version = published.Version;
    const versionArn = published.FunctionArn;
    if (version === undefined || versionArn === undefined || version === '$LATEST') {
      throw new FunctionNotReadyError(`Publishing a version of ${props.FunctionName} returned no numbered version.`);
    }
    await waitUntilReady(props.FunctionName, version);

    log({
      event: 'edge-config-published',
      function: props.FunctionName,
      version,
      configSha256,
      jwksKeys: jwks.keyCount,
    });
    return { PhysicalResourceId: versionArn, Data: { FunctionVersionArn: versionArn, Version: version, ConfigSha256: configSha256 } };
  };
}

function parseProperties(input: unknown): EdgeConfigResourceProperties {
  if (typeof input !== 'object' || input === null) throw new InvalidResourcePropertiesError('The resource has no properties.');
  const props = input as Record<string, unknown>;
  const problems: string[] = [];
  const text = (key: keyof EdgeConfigResourceProperties): string => {
    const value = props[key];
    if (typeof value === 'string' && value !== '') return value;
    problems.push(`${key} must be a non-empty string`);
    return '';
  };
  const FunctionName = text('FunctionName');
  const Config = text('Config');
  const JwksUrl = text('JwksUrl');
  if (JwksUrl !== '' && !(JwksUrl.startsWith('https://') && JwksUrl.endsWith(JWKS_PATH))) {
    problems.push(`JwksUrl must be an https URL ending in ${JWKS_PATH}`);
  }
  if (problems.length > 0) throw new InvalidResourcePropertiesError(`Invalid properties: ${problems.join('; ')}.`);
  return { FunctionName, Config, JwksUrl };
}

interface FetchedJwks {
  readonly value: unknown;
  readonly keyCount: number;
}

async function fetchJwks(fetchBytes: Fetcher['fetchBytes'], url: string): Promise<FetchedJwks> {
  let body: Uint8Array;
  try {
    body = await fetchBytes(url, MAX_JWKS_BYTES);
  } catch (error: unknown) {
    throw new JwksUnavailableError(url, describe(error));
  }
  const parsed = safeJsonParse(Buffer.from(body).toString('utf8'));
  if (!parsed.ok) throw new JwksUnavailableError(url, 'the answer is not JSON');
  const value = parsed.value;
  const keys = typeof value === 'object' && value !== null && 'keys' in value && Array.isArray(value.keys) ? value.keys : undefined;
  if (keys === undefined || keys.length === 0) throw new JwksUnavailableError(url, 'the answer has no "keys"');
  return { value, keyCount: keys.length };
}

/**
 * config.json as the edge will read it: the app's fields plus the JWKS,
 * checked by the edge's own parser, so a deploy never ships a config the
 * function would refuse at cold start. `local` is never set on AWS.
 */
function buildConfigJson(configText: string, jwks: FetchedJwks, ticketKeys: readonly TicketKeyConfig[]): string {
  const parsed = safeJsonParse(configText);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new InvalidResourcePropertiesError('Config must be a JSON object.');
  }
  if ('jwks' in parsed.value || 'local' in parsed.value) {
    throw new InvalidResourcePropertiesError('Config must not carry "jwks" (fetched here) or "local" (never set on AWS).');
  }
  if ('multipartTicketKeys' in parsed.value) {
    throw new InvalidResourcePropertiesError('Config must not carry "multipartTicketKeys" (generated here, each deploy).');
  }
  const candidate = { ...parsed.value, jwks: jwks.value, multipartTicketKeys: ticketKeys };
  try {
    parseEdgeConfig(candidate, DEFAULT_UPLOAD_RULES.policyTtlSeconds);
  } catch (error: unknown) {
    throw new InvalidResourcePropertiesError(`The presign function would refuse this config.json. ${describe(error)}`);
  }
  return JSON.stringify(candidate);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
