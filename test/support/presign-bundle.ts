/**
 * The built presign bundle (dist/edge-functions/presign/index.js, from
 * `npm run build`) loaded as Lambda@Edge loads it: a fresh copy beside its
 * own config.json, signing with the credentials in the environment.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessKey } from './local-s3';
import { testEdgeConfig, type SigningKey } from './tokens';

const BUNDLE = join(__dirname, '..', '..', 'dist', 'edge-functions', 'presign', 'index.js');

export type BundleHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontResultResponse>;

export interface BundleLoader {
  /** A fresh copy of the bundle (its own module state) with `config` as its config.json. */
  load(config: Record<string, unknown>): BundleHandler;
  /** Removes every copy loaded so far. */
  cleanup(): void;
}

/** Copies go to fresh folders named edge-upload-<name>-XXXXXX. */
export function bundleLoader(name: string): BundleLoader {
  let dirs: string[] = [];
  return {
    load: (config) => {
      const dir = mkdtempSync(join(tmpdir(), `edge-upload-${name}-`));
      dirs.push(dir);
      copyFileSync(BUNDLE, join(dir, 'index.js'));
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(join(dir, 'index.js')) as { handler: BundleHandler }).handler;
    },
    cleanup: () => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      dirs = [];
    },
  };
}

/** The bundle signs with the credentials in the environment, as on Lambda: `key`'s, and no session token. */
export function bundleSignsWith(key: AccessKey): void {
  process.env.AWS_ACCESS_KEY_ID = key.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
}

/**
 * The bundle's config.json for `bucket` on an S3 on this machine (radosgw):
 * path-style at `store.endpoint`, `local: true`, SSE-KMS with the store's
 * key, tokens from the test issuer signed with `key`; `overrides` on top.
 */
export function localBundleConfig(
  key: SigningKey,
  store: { readonly endpoint: string; readonly kmsKeyId: string },
  bucket: string,
  region: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return testEdgeConfig(key, {
    bucket,
    region,
    uploadUrl: `${store.endpoint}/${bucket}`,
    kmsKeyId: store.kmsKeyId,
    local: true,
    ...overrides,
  });
}
