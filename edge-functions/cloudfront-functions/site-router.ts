/**
 * CloudFront Function `site-router` (runtime cloudfront-js-2.0), viewer-request
 * on the default behaviour, in front of the S3 site bucket (docs/http-api.md "Who answers which path").
 *
 * - A path that tries to climb or smuggle (`..` in any mix of raw and
 *   percent-encoded dots, a backslash, a NUL) is answered at the edge with
 *   400 INVALID_REQUEST in the error shape of docs/http-api.md.
 * - An app route (the last segment has no file extension: `/`, `/app`,
 *   `/app/upload`, `/login`) is rewritten to `/index.html`, so the single-page
 *   app answers every route it owns.
 * - Anything else (an asset such as `/assets/app.js`) passes through untouched:
 *   the very request object CloudFront gave us.
 *
 * `npm run build` bundles this file into dist/edge-functions/site-router.js, a
 * plain script with a top-level `function handler(event)`. Only syntax that
 * the runtime documents may be used here (infra/local/edge/cloudfront-function-syntax.ts
 * checks the built output): no classes, destructuring, spread, `for…of`,
 * optional chaining or `??`.
 */
import type { CloudFrontFunctionsEvent } from 'aws-lambda';
import { INVALID_REQUEST } from '../contract/http-errors';
import { errorResponse, type ErrorResponse } from './error-response';

type ViewerRequest = CloudFrontFunctionsEvent['request'];

/**
 * `..` in any mix of `.` and `%2e` (any case), a backslash or `%5c`, a NUL or
 * `%00`. S3 keys are flat, so none of these can name a real site asset; they
 * only ever show up in probes.
 */
const FORBIDDEN_IN_PATH = /(?:\.|%2e){2}|\\|%5c|\0|%00/i;

/**
 * Paths that belong to other behaviours (the auth API and the presign edge
 * function). They never reach this function on a correct distribution; if it
 * were attached there by mistake it must not turn them into the app shell.
 */
const OTHER_BEHAVIOURS = /^\/(?:auth|presign)(?:\/|$)/;

/** The last segment names a file: a dot followed by at least one character that is neither `/` nor `.`. */
const FILE_EXTENSION = /\.[^/.]+$/;

const APP_SHELL = '/index.html';

function handler(event: CloudFrontFunctionsEvent): ViewerRequest | ErrorResponse {
  const request = event.request;
  const uri = request.uri;
  if (FORBIDDEN_IN_PATH.test(uri)) return errorResponse(INVALID_REQUEST, 'Bad Request', 'The request path is not allowed.');
  if (!OTHER_BEHAVIOURS.test(uri) && !FILE_EXTENSION.test(uri)) request.uri = APP_SHELL;
  return request;
}

/** The handler's type, for tools; a type-only export leaves no `export` in the built script. */
export type SiteRouterHandler = typeof handler;
