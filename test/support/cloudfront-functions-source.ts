/**
 * The CloudFront Functions run from their TypeScript source, in-process.
 *
 * The sandboxed suites normally load the built script from dist/ (what
 * CloudFront runs, with its syntax and globals checked). That file is never
 * what mutation testing changes, so the same cases can also run against the
 * source: esbuild bundles it the way the build does (format esm, no tree
 * shaking, the auth route table compiled in), and the bundle is evaluated in
 * the test's own realm, where Stryker's mutant switch and coverage counters
 * live. `CLOUDFRONT_FUNCTIONS_UNDER_TEST=source` (set by jest.mutation.config.js)
 * makes `cloudFrontFunctionUnderTest` pick this loader.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
// Evaluated for nothing but the module graph: jest (and Stryker's related-tests
// lookup) then knows that the suites using this loader depend on the sources.
import '../../edge-functions/cloudfront-functions/auth-guard';
import '../../edge-functions/cloudfront-functions/site-router';
import {
  loadCloudFrontFunctionFile,
  type CloudFrontFunction,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionRequest,
  type CloudFrontFunctionResponse,
  type CloudFrontFunctionViewerRequestEvent,
} from './cloudfront-functions-sandbox';

export type CloudFrontFunctionName = 'auth-guard' | 'site-router';

const root = join(__dirname, '..', '..');

export function sourcePath(name: CloudFrontFunctionName): string {
  return join(root, 'edge-functions', 'cloudfront-functions', `${name}.ts`);
}

export function builtPath(name: CloudFrontFunctionName): string {
  return join(root, 'dist', 'edge-functions', `${name}.js`);
}

type Handler = (event: CloudFrontFunctionViewerRequestEvent) => unknown;

/** Bundles and evaluates the source; each run gets its own copy of the event, as in the sandbox. */
export function loadCloudFrontFunctionSource(name: CloudFrontFunctionName): CloudFrontFunction {
  const bundled = buildSync({
    entryPoints: [sourcePath(name)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    treeShaking: false,
    write: false,
    logLevel: 'silent',
  });
  const [file] = bundled.outputFiles;
  if (file === undefined) throw new Error(`${name}: esbuild produced no output`);
  // The Function constructor of this realm: the bundle sees the same globals as the test.
  const handler = new Function(`${file.text}\nreturn handler;`)() as Handler;
  return {
    run(event: CloudFrontFunctionViewerRequestEvent): CloudFrontFunctionOutcome {
      const copy = JSON.parse(JSON.stringify(event)) as CloudFrontFunctionViewerRequestEvent;
      const result = handler(copy);
      if (typeof result !== 'object' || result === null) throw new Error(`${name}: the handler returned ${String(result)}`);
      const plain: unknown = JSON.parse(JSON.stringify(result));
      if ('statusCode' in result) return { kind: 'response', response: plain as CloudFrontFunctionResponse, logs: [] };
      return { kind: 'request', request: plain as CloudFrontFunctionRequest, returnedEventRequest: result === copy.request, logs: [] };
    },
  };
}

/** The built file by default; the source when CLOUDFRONT_FUNCTIONS_UNDER_TEST is `source`. */
export function cloudFrontFunctionUnderTest(name: CloudFrontFunctionName): CloudFrontFunction {
  return process.env.CLOUDFRONT_FUNCTIONS_UNDER_TEST === 'source'
    ? loadCloudFrontFunctionSource(name)
    : loadCloudFrontFunctionFile(builtPath(name));
}
