/**
 * Multipart ticket keys across deploys: the edge-config handler runs against
 * a stand-in Lambda function that keeps $LATEST and its published versions
 * the way Lambda does (UpdateFunctionCode replaces $LATEST, PublishVersion
 * freezes it, ListVersionsByFunction pages), and tickets are signed and
 * verified with the edge's own ticket code and config parser, so "a ticket
 * survives" means exactly what it means at the edge.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { InvalidTicketError } from '../../../edge-functions/core/errors';
import { signTicket, verifyTicket } from '../../../edge-functions/core/multipart-ticket';
import { createEdgeConfigResourceHandler } from '../../../infra/aws/custom-resources/edge-config/edge-config-resource';
import type { Fetcher } from '../../../infra/aws/custom-resources/edge-config/fetcher';
import { readConfigFile } from '../../../infra/aws/custom-resources/edge-config/function-package';
import { nextTicketKeys, RETIRED_KEY_GRACE_SECONDS, ticketKeysOf } from '../../../infra/aws/custom-resources/edge-config/ticket-keys';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:edge-upload-presign';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI';
const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;
const CODE_HOST = 'https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/';
const APP_CONFIG = {
  issuer: ISSUER,
  clientIds: ['1example23456789'],
  bucket: 'edge-upload-uploads-111111111111-eu-west-1',
  region: 'eu-west-1',
  uploadUrl: 'https://edge-upload-uploads-111111111111-eu-west-1.s3-accelerate.amazonaws.com/',
  kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  policyTtlSeconds: 300,
};
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWKS = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' }] };
/** What CloudFormation's UpdateFunctionCode puts in $LATEST on a code deploy: the asset, which has no config.json. */
const BARE_BUNDLE = zipSync({ 'index.js': strToU8('exports.handler = async () => ({ status: "200" });\n') });

const HOUR = 3600 * 1000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

/** One Lambda function as the handler sees it, and the pre-signed package URLs GetFunction hands out. */
class StandInFunction implements Fetcher {
  latest: Uint8Array = BARE_BUNDLE;
  /** versions[n - 1] is version n. */
  readonly versions: Uint8Array[] = [];
  readonly lambda = { send: (command: unknown) => this.handle(command) } as unknown as Pick<LambdaClient, 'send'>;

  /** Lambda pages versions (50 by default); 2 here, so that several pages are read. */
  private static readonly PAGE = 2;

  private async handle(command: unknown): Promise<unknown> {
    if (command instanceof GetFunctionConfigurationCommand) return { State: 'Active', LastUpdateStatus: 'Successful' };
    if (command instanceof GetFunctionCommand) {
      const qualifier = command.input.Qualifier ?? '$LATEST';
      if (qualifier !== '$LATEST' && this.versions[Number(qualifier) - 1] === undefined) throw new Error(`no version ${qualifier}`);
      return { Code: { Location: `${CODE_HOST}${encodeURIComponent(qualifier)}.zip?X-Amz-Signature=abc`, RepositoryType: 'S3' } };
    }
    if (command instanceof UpdateFunctionCodeCommand) {
      const zip = command.input.ZipFile;
      if (zip === undefined) throw new Error('no ZipFile');
      this.latest = zip;
      return { CodeSha256: sha256(zip) };
    }
    if (command instanceof PublishVersionCommand) {
      if (command.input.CodeSha256 !== undefined && command.input.CodeSha256 !== sha256(this.latest)) throw new Error('PreconditionFailed');
      this.versions.push(this.latest);
      const version = String(this.versions.length);
      return { Version: version, FunctionArn: `${FUNCTION_ARN}:${version}` };
    }
    if (command instanceof ListVersionsByFunctionCommand) {
      const all = ['$LATEST', ...this.versions.map((_zip, index) => String(index + 1))];
      const start = Number(command.input.Marker ?? '0');
      const next = start + StandInFunction.PAGE;
      return {
        Versions: all.slice(start, next).map((Version) => ({ Version })),
        ...(next < all.length ? { NextMarker: String(next) } : {}),
      };
    }
    throw new Error(`the stand-in does not know ${(command as object).constructor.name}`);
  }

  async fetchBytes(url: string): Promise<Uint8Array> {
    if (url === JWKS_URL) return strToU8(JSON.stringify(JWKS));
    const qualifier = decodeURIComponent(url.slice(CODE_HOST.length).split('.zip?')[0] ?? '');
    const zip = qualifier === '$LATEST' ? this.latest : this.versions[Number(qualifier) - 1];
    if (!url.startsWith(CODE_HOST) || zip === undefined) throw new Error(`unexpected fetch of ${url}`);
    return zip;
  }

  /** The edge config a version runs with. */
  configOf(version: number) {
    const text = readConfigFile(this.versions[version - 1]!);
    if (text === undefined) throw new Error(`version ${version} has no config.json`);
    return parseEdgeConfig(JSON.parse(text), 300);
  }

  keyIdsOf(version: number): string[] {
    return this.configOf(version).multipartTicketKeys.map((key) => key.id);
  }
}

let fn: StandInFunction;
let deploys: number;

beforeEach(() => {
  fn = new StandInFunction();
  deploys = 0;
});

/**
 * One run of the custom resource at `when`, as a deploy of `kind` makes it:
 * a code deploy has CloudFormation put the bare bundle into $LATEST first; a
 * config deploy leaves $LATEST as the last run left it. Returns the version.
 */
async function deploy(when: Date, kind: 'code' | 'config'): Promise<number> {
  deploys++;
  if (kind === 'code') fn.latest = BARE_BUNDLE;
  const id = `k${deploys}`;
  const handler = createEdgeConfigResourceHandler({
    lambda: fn.lambda,
    fetcher: fn,
    sleep: async () => undefined,
    log: () => undefined,
    now: () => when,
    newTicketKey: () => ({ id, secret: Buffer.alloc(32, id).toString('base64') }),
  });
  const result = await handler({
    RequestType: 'Create',
    ResourceProperties: { FunctionName: FUNCTION_ARN, Config: JSON.stringify(APP_CONFIG), JwksUrl: JWKS_URL },
  });
  return Number(result.Data?.Version);
}

const UPLOAD = { sub: 'user-1', key: 'uploads/user-1/big.bin' };

/** A ticket as the edge running `version` issues it at `when` (it lives 24 h). */
function ticketFrom(version: number, when: Date): string {
  const exp = Math.floor(when.getTime() / 1000) + 24 * 3600;
  return signTicket(
    { ...UPLOAD, type: 'application/octet-stream', size: 1e9, partSize: 1e8, partCount: 10, exp },
    fn.configOf(version).multipartTicketKeys,
  );
}

function acceptedBy(version: number, ticket: string, when: Date): boolean {
  try {
    verifyTicket(ticket, { ...UPLOAD, now: when }, fn.configOf(version).multipartTicketKeys);
    return true;
  } catch (error: unknown) {
    if (error instanceof InvalidTicketError) return false;
    throw error;
  }
}

describe('tickets survive code and config deploys', () => {
  it("a code deploy ($LATEST is the bare bundle, no config.json) keeps the live version's keys", async () => {
    const v1 = await deploy(at(0), 'code');
    const ticket = ticketFrom(v1, at(1));
    const v2 = await deploy(at(2), 'code');
    expect(fn.keyIdsOf(v2)).toEqual(['k2', 'k1']);
    expect(acceptedBy(v2, ticket, at(3))).toBe(true);
  });

  it('two deploys within 24 h keep both older keys: tickets from before the first still verify', async () => {
    const v1 = await deploy(at(0), 'code');
    const early = ticketFrom(v1, at(1));
    const v2 = await deploy(at(2), 'code');
    const later = ticketFrom(v2, at(3));
    const v3 = await deploy(at(4), 'config');
    expect(fn.keyIdsOf(v3)).toEqual(['k3', 'k2', 'k1']);
    expect(acceptedBy(v3, early, at(5))).toBe(true);
    expect(acceptedBy(v3, later, at(5))).toBe(true);
  });

  const graceHours = RETIRED_KEY_GRACE_SECONDS / 3600;
  it.each([
    ['keeps', 'just inside', 2 + graceHours - 0.01, ['k4', 'k3', 'k2', 'k1']],
    ['drops', 'at the end of', 2 + graceHours, ['k4', 'k3', 'k2']],
  ])("%s a retired key %s a ticket's lifetime plus the propagation margin after its retirement", async (_verb, _when, hours, expected) => {
    await deploy(at(0), 'code');
    await deploy(at(1), 'code');
    // k1 is among the two newest versions' signing keys here for the last time: retired as of hour 2.
    await deploy(at(2), 'config');
    expect(fn.keyIdsOf(await deploy(at(hours), 'code'))).toEqual(expected);
  });

  it('keeps at most the 4 keys the edge accepts, newest first (the first signs)', async () => {
    for (let run = 0; run < 6; run++) await deploy(at(run / 6), 'code');
    expect(fn.keyIdsOf(6)).toEqual(['k6', 'k5', 'k4', 'k3']);
    expect(ticketFrom(6, at(1)).startsWith('k6.')).toBe(true);
  });

  it('after a rolled-back deploy, the version CloudFront went back to keeps its key through the next deploy, however much later', async () => {
    await deploy(at(0), 'code');
    const running = await deploy(at(1), 'code');
    // v3 is published, then the stack rolls back: the new resource's Delete does nothing, the
    // distribution goes back to v2 (still signing with k2), $LATEST keeps v3's package.
    const rolledBack = await deploy(at(2), 'code');
    expect(fn.keyIdsOf(rolledBack)).toEqual(['k3', 'k2', 'k1']);
    const ticket = ticketFrom(running, at(40));

    const next = await deploy(at(50), 'code');
    expect(fn.keyIdsOf(next)).toEqual(['k4', 'k3', 'k2']);
    expect(acceptedBy(next, ticket, at(51))).toBe(true);
  });

  it('an expired ticket stays refused, whatever keys are carried', async () => {
    const v1 = await deploy(at(0), 'code');
    const ticket = ticketFrom(v1, at(0));
    const v2 = await deploy(at(1), 'code');
    expect(acceptedBy(v2, ticket, at(24.5))).toBe(false);
  });
});

describe('nextTicketKeys', () => {
  const key = (id: string, retiredAt?: string) => ({
    id,
    secret: Buffer.alloc(32, id).toString('base64'),
    ...(retiredAt === undefined ? {} : { retiredAt }),
  });

  it('starts with the fresh key alone on a first deploy, without retiredAt', () => {
    expect(nextTicketKeys([], key('fresh'), at(0))).toEqual([key('fresh')]);
  });

  it("stamps the two newest versions' signing keys retired now, and keeps other keys' dates", () => {
    const previous = [key('b'), key('a', '2026-03-01T09:00:00Z'), key('z', '2026-03-02T07:00:00Z')];
    expect(nextTicketKeys(previous, key('c'), at(0))).toEqual([
      key('c'),
      key('b', '2026-03-02T08:00:00Z'),
      key('a', '2026-03-02T08:00:00Z'),
      key('z', '2026-03-02T07:00:00Z'),
    ]);
  });

  it('drops older keys written before retiredAt existed, and any with an unreadable date', () => {
    const previous = [key('b'), key('a'), key('legacy'), key('garbled', 'yesterday')];
    expect(nextTicketKeys(previous, key('c'), at(0)).map((entry) => entry.id)).toEqual(['c', 'b', 'a']);
  });

  it('reads the keys of a config.json in order, with their retirement, ignoring other fields', () => {
    const config = JSON.stringify({
      multipartTicketKeys: [{ id: 'b', secret: 's1' }, { id: 'a', secret: 's2', retiredAt: '2026-03-01T00:00:00Z', note: 'x' }, 'junk'],
    });
    expect(ticketKeysOf(config)).toEqual([
      { id: 'b', secret: 's1' },
      { id: 'a', secret: 's2', retiredAt: '2026-03-01T00:00:00Z' },
    ]);
    expect(ticketKeysOf(undefined)).toEqual([]);
    expect(ticketKeysOf('{"issuer":"x"}')).toEqual([]);
  });
});
