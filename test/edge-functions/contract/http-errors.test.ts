/**
 * Every consumer of the HTTP error contract follows its one table
 * (edge-functions/contract/http-errors.ts): for each code a deployable can
 * send, its mapper answers with the table's status; a failure nobody foresaw
 * is 500 INTERNAL with the one generic message everywhere; and the codes the
 * deployables send are exactly the table's. The records below are typed from
 * each deployable's code union, so a code added there without a line here
 * fails the type check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { apiErrorFrom } from '../../../client/core/api-contract';
import { API_ERROR_TRANSIENT, transientStatus } from '../../../client/core/errors';
import { errorResponse as cloudFrontErrorResponse } from '../../../edge-functions/cloudfront-functions/error-response';
import {
  HTTP_ERRORS,
  type HttpErrorCode,
  INTERNAL,
  INTERNAL_BAD_GATEWAY,
  INTERNAL_MESSAGE,
  INTERNAL_UNAVAILABLE,
  isHttpErrorCode,
} from '../../../edge-functions/contract/http-errors';
import * as edge from '../../../edge-functions/core/errors';
import { errorResponse as edgeErrorResponse } from '../../../edge-functions/core/http-response';
import * as local from '../../../infra/local/edge/errors';
import { type FirewallBlockCode, firewallBlockBody } from '../../../infra/shared/firewall-responses';
import { toErrorResponse } from '../../../origin/core/error-response';
import * as origin from '../../../origin/core/errors';

const EDGE: Readonly<Record<Exclude<edge.ErrorCode, 'INTERNAL'>, () => edge.EdgeUploadError>> = {
  INVALID_REQUEST: () => new edge.InvalidRequestError('x'),
  INVALID_FILENAME: () => new edge.InvalidFilenameError('x', 0),
  FILE_TOO_LARGE: () => new edge.FileTooLargeError('x', 0),
  USE_MULTIPART: () => new edge.UseMultipartError('x', 0),
  EMPTY_FILE: () => new edge.EmptyFileError('x', 0),
  UNSUPPORTED_TYPE: () => new edge.UnsupportedTypeError('x', 0),
  UNSUPPORTED_MEDIA_TYPE: () => new edge.UnsupportedMediaTypeError('x'),
  PAYLOAD_TOO_LARGE: () => new edge.PayloadTooLargeError('x'),
  UNAUTHORIZED: () => new edge.UnauthorizedError('expired'),
  METHOD_NOT_ALLOWED: () => new edge.MethodNotAllowedError('PUT', ['POST']),
  NOT_FOUND: () => new edge.NotFoundError(),
  INVALID_TICKET: () => new edge.InvalidTicketError('forged'),
  FORBIDDEN_KEY: () => new edge.ForbiddenKeyError('x'),
};

const ORIGIN: Readonly<Record<Exclude<origin.AuthErrorCode, 'INTERNAL'>, () => origin.AuthApiError>> = {
  INVALID_REQUEST: () => new origin.InvalidRequestError('x'),
  INVALID_PASSWORD: () => new origin.InvalidPasswordError('x', ['length']),
  USER_EXISTS: () => new origin.UserExistsError(),
  CODE_MISMATCH: () => new origin.CodeMismatchError(),
  CODE_EXPIRED: () => new origin.CodeExpiredError(),
  INVALID_CREDENTIALS: () => new origin.InvalidCredentialsError(),
  USER_NOT_CONFIRMED: () => new origin.UserNotConfirmedError(),
  UNSUPPORTED_CHALLENGE: () => new origin.UnsupportedChallengeError('SMS_MFA'),
  PASSWORD_RESET_REQUIRED: () => new origin.PasswordResetRequiredError(),
  INVALID_REFRESH: () => new origin.InvalidRefreshError(),
  TOO_MANY_REQUESTS: () => new origin.TooManyRequestsError(),
  AUTH_UNAVAILABLE: () => new origin.AuthUnavailableError(),
  METHOD_NOT_ALLOWED: () => new origin.MethodNotAllowedError(['POST']),
  UNSUPPORTED_MEDIA_TYPE: () => new origin.UnsupportedMediaTypeError(),
  PAYLOAD_TOO_LARGE: () => new origin.PayloadTooLargeError(4096),
  FORBIDDEN_ORIGIN: () => new origin.ForbiddenOriginError(),
  NOT_FOUND: () => new origin.NotFoundError(),
};

const LOCAL_EDGE: Readonly<Record<Exclude<local.LocalEdgeErrorCode, 'INTERNAL'>, () => local.LocalEdgeError>> = {
  INVALID_REQUEST: () => new local.EdgeInvalidRequestError('x'),
  NOT_FOUND: () => new local.EdgeNotFoundError('x'),
  METHOD_NOT_ALLOWED: () => new local.EdgeMethodNotAllowedError('x', ['GET']),
  PAYLOAD_TOO_LARGE: () => new local.EdgePayloadTooLargeError('x'),
};

/** The status a firewall rule blocks with, for each code a block can carry. */
const FIREWALL: Readonly<Record<FirewallBlockCode, number>> = {
  TOO_MANY_REQUESTS: HTTP_ERRORS.TOO_MANY_REQUESTS.status,
  PAYLOAD_TOO_LARGE: HTTP_ERRORS.PAYLOAD_TOO_LARGE.status,
  REQUEST_BLOCKED: HTTP_ERRORS.REQUEST_BLOCKED.status,
};

const TABLE_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];

function bodyOf(text: string | Buffer): unknown {
  return JSON.parse(text.toString());
}

describe('the table', () => {
  it('names each entry by its own code, with an HTTP error status', () => {
    for (const [key, entry] of Object.entries(HTTP_ERRORS)) {
      expect(entry.code).toBe(key);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });

  it('holds exactly the codes the deployables send', () => {
    const sent = new Set<string>([
      'INTERNAL',
      ...Object.keys(EDGE),
      ...Object.keys(ORIGIN),
      ...Object.keys(LOCAL_EDGE),
      ...Object.keys(FIREWALL),
    ]);
    expect([...sent].sort()).toEqual([...TABLE_CODES].sort());
  });

  it('knows its own codes and nothing else', () => {
    for (const code of TABLE_CODES) expect(isHttpErrorCode(code)).toBe(true);
    for (const code of ['HTTP_502', 'toString', '__proto__', 'constructor', '']) expect(isHttpErrorCode(code)).toBe(false);
  });
});

describe.each(Object.entries(EDGE))('the edge mapper: %s', (code, make) => {
  it('answers with the table status and the code', () => {
    const response = edgeErrorResponse(make());
    expect(response.status).toBe(HTTP_ERRORS[code as HttpErrorCode].status);
    expect(bodyOf(response.body)).toMatchObject({ error: { code } });
  });
});

describe.each(Object.entries(ORIGIN))('the auth API mapper: %s', (code, make) => {
  it('answers with the table status and the code', () => {
    const { response, outcome } = toErrorResponse(make());
    expect(response.status).toBe(HTTP_ERRORS[code as HttpErrorCode].status);
    expect(outcome.status).toBe(response.status);
    expect(bodyOf(response.body)).toMatchObject({ error: { code } });
  });
});

describe.each(Object.entries(LOCAL_EDGE))('the local edge: %s', (code, make) => {
  it('answers with the table status and the code', () => {
    const reply = local.edgeErrorReply(make());
    expect(reply.status).toBe(HTTP_ERRORS[code as HttpErrorCode].status);
    expect(bodyOf(reply.body)).toMatchObject({ error: { code } });
  });
});

describe.each(Object.entries(FIREWALL))('a firewall block: %s', (code, status) => {
  it('carries the code for the status the table gives it', () => {
    expect(firewallBlockBody(status, undefined).error.code).toBe(code);
  });
});

describe('the CloudFront Functions', () => {
  it.each(TABLE_CODES)('answer %s with the table status', (code) => {
    const response = cloudFrontErrorResponse(HTTP_ERRORS[code], 'Status', 'A message.');
    expect(response.statusCode).toBe(HTTP_ERRORS[code].status);
    expect(bodyOf(response.body.data)).toEqual({ error: { code, message: 'A message.' } });
  });
});

describe('an unforeseen failure', () => {
  const bug = new Error('secret detail of a bug');
  const expected = { error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } };

  it('is the same 500 INTERNAL with the one generic message at the edge, the auth API and the local edge', () => {
    const edgeResponse = edgeErrorResponse(bug);
    const originResponse = toErrorResponse(bug).response;
    const localReply = local.edgeErrorReply(bug);
    for (const answer of [edgeResponse, originResponse, localReply]) {
      expect(answer.status).toBe(HTTP_ERRORS.INTERNAL.status);
      expect(bodyOf(answer.body)).toEqual(expected);
    }
  });

  it('keeps the code INTERNAL and the generic message when the local edge reports a failed function (502/503)', () => {
    for (const entry of [INTERNAL_BAD_GATEWAY, INTERNAL_UNAVAILABLE]) {
      const reply = local.edgeErrorReply(new local.EdgeFunctionError('threw', entry.status, 'presign'));
      expect(reply.status).toBe(entry.status);
      expect(bodyOf(reply.body)).toEqual(expected);
    }
  });

  it('keeps them too when the local stack is not ready yet (503, as CloudFront answers an origin it cannot reach)', () => {
    const reply = local.edgeErrorReply(new local.EdgeNotReadyError());
    expect(reply.status).toBe(INTERNAL_UNAVAILABLE.status);
    expect(bodyOf(reply.body)).toEqual(expected);
  });

  it('has the edge statuses 502 and 503 with the code INTERNAL', () => {
    expect(INTERNAL_BAD_GATEWAY).toEqual({ code: INTERNAL.code, status: 502 });
    expect(INTERNAL_UNAVAILABLE).toEqual({ code: INTERNAL.code, status: 503 });
  });
});

const ROOT = path.join(__dirname, '../../..');

/** Every .ts file under `dir` (relative to the repository root). */
function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.join(dir, file));
}

/** `file:line: CODE` for each string literal in a value position that spells a code of the table. */
function spelledCodes(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    // A literal type (`Extract<HttpErrorCode, 'NOT_FOUND'>`) is checked against the table by tsc.
    if (ts.isTypeNode(node)) return;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && isHttpErrorCode(node.text)) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the consumers', () => {
  it.each([
    'infra/local',
    'infra/shared',
    'infra/aws',
    'edge-functions/core',
    'edge-functions/presign',
    'edge-functions/cloudfront-functions',
    'origin',
    'site',
    'client',
  ])('in %s name the table entry (NOT_FOUND.code), never spell a code as a string a typo would slip past', (dir) => {
    const sources = sourcesUnder(dir);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.flatMap((file) => spelledCodes(file, readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('are checked by a scan that finds a spelled code in a value, and leaves literal types to tsc', () => {
    const probe = [
      "type Mine = Extract<HttpErrorCode, 'NOT_FOUND'>;",
      "if (error.code === 'NOT_FOUND') fail(`INTERNAL`, 'not a code', NOT_FOUND.code);",
    ].join('\n');
    expect(spelledCodes('probe.ts', probe)).toEqual(['probe.ts:2: NOT_FOUND', 'probe.ts:2: INTERNAL']);
  });
});

describe('the site', () => {
  it.each(TABLE_CODES)('knows %s, and treats it as the status the table gives it', (code) => {
    const status = HTTP_ERRORS[code].status;
    expect(API_ERROR_TRANSIENT[code]).toBe(transientStatus(status));
    const error = apiErrorFrom(status, { error: { code, message: 'A message.' } });
    expect(error).toMatchObject({ status, code, transient: transientStatus(status) });
  });
});
