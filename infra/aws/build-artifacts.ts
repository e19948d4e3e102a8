/**
 * Where the app finds what it deploys: the bundles that `npm run build`
 * writes into dist/ (docs/edge-config.md), the site, and the custom resource handler.
 * Paths are resolved from the project root, found by walking up from this
 * file, so the same code works from the TypeScript sources (tests) and from
 * the bundled app in dist/ (the CDK CLI).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BuildArtifactMissingError } from './errors';

const PACKAGE_NAME = 'edge-upload';

export function findProjectRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === PACKAGE_NAME) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} project root above ${start}`);
    dir = parent;
  }
}

export interface BuildArtifacts {
  /** Folder holding the presign bundle (index.js); config.json is added at deploy time. */
  readonly presignDir: string;
  readonly presignBundle: string;
  /** SHA-256 of the presign bundle: a new bundle re-runs the config custom resource. */
  readonly presignBundleSha256: string;
  readonly siteRouterFunction: string;
  readonly authGuardFunction: string;
  /** Folder holding the auth Lambda bundle (index.js, handler `handler`). */
  readonly authDir: string;
  /** Folder holding the upload inspector bundle (index.js, handler `handler`). */
  readonly inspectorDir: string;
  /** Folder holding the edge-config custom resource handler bundle. */
  readonly edgeConfigResourceDir: string;
  /** The built site, or the placeholder page when the site has not been built. */
  readonly siteDir: string;
  readonly siteIsPlaceholder: boolean;
}

export function locateBuildArtifacts(root: string = findProjectRoot()): BuildArtifacts {
  const dist = path.join(root, 'dist');
  const file = (relative: string, what: string): string => {
    const full = path.join(dist, relative);
    if (!existsSync(full) || !statSync(full).isFile()) throw new BuildArtifactMissingError(full, what);
    return full;
  };
  const presignBundle = file('edge-functions/presign/index.js', 'The presign Lambda@Edge bundle');
  const authBundle = file('origin/auth/index.js', 'The auth Lambda bundle');
  const inspectorBundle = file('origin/inspector/index.js', 'The upload inspector bundle');
  const resourceBundle = file('infra/aws/custom-resources/edge-config/index.js', 'The edge-config custom resource bundle');
  const builtSite = path.join(dist, 'site');
  const siteIsPlaceholder = !existsSync(path.join(builtSite, 'index.html'));
  return Object.freeze({
    presignDir: path.dirname(presignBundle),
    presignBundle,
    presignBundleSha256: createHash('sha256').update(readFileSync(presignBundle)).digest('hex'),
    siteRouterFunction: file('edge-functions/site-router.js', 'The site-router CloudFront Function'),
    authGuardFunction: file('edge-functions/auth-guard.js', 'The auth-guard CloudFront Function'),
    authDir: path.dirname(authBundle),
    inspectorDir: path.dirname(inspectorBundle),
    edgeConfigResourceDir: path.dirname(resourceBundle),
    siteDir: siteIsPlaceholder ? path.join(root, 'infra', 'aws', 'site-placeholder') : builtSite,
    siteIsPlaceholder,
  });
}
