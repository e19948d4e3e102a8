/**
 * The auth API as one function from AuthRequest to AuthResponse: guard,
 * action, one error mapper, one log line. It never throws; whatever goes
 * wrong becomes a docs/http-api.md error response.
 */
import type { AuthPath } from '../../edge-functions/core/auth-routes';
import type { AuthGateway } from '../core/auth-gateway';
import type { AuthConfig } from '../core/config';
import { toErrorResponse } from '../core/error-response';
import { headerValues, type AuthRequest, type AuthResponse } from '../core/http';
import { checkContentType, checkMethod, checkOrigin, readBody, resolveRoute } from '../core/request-guard';
import type { RequestLogEntry, RequestLogger } from '../core/request-log';
import { ActionFailure, AUTH_ACTIONS } from './auth-actions';

export interface AuthAppDependencies {
  readonly config: AuthConfig;
  readonly gateway: AuthGateway;
  readonly logger: RequestLogger;
  /** Milliseconds from an arbitrary origin, for latency. */
  readonly now: () => number;
}

export type AuthApp = (request: AuthRequest) => Promise<AuthResponse>;

export function createAuthApp({ config, gateway, logger, now }: AuthAppDependencies): AuthApp {
  return async (request) => {
    const started = now();
    let route: AuthPath | undefined;
    let response: AuthResponse;
    let log: Pick<RequestLogEntry, 'outcome' | 'detail' | 'error'>;
    try {
      route = resolveRoute(request);
      checkMethod(request);
      checkOrigin(request, config.siteOrigin);
      checkContentType(request, route);
      const body = readBody(request);
      const result = await AUTH_ACTIONS[route]({
        body,
        cookieHeaders: headerValues(request, 'cookie'),
        config,
        gateway,
      });
      response = result.response;
      log = { outcome: result.outcome, detail: result.detail, error: undefined };
    } catch (thrown) {
      const [error, cookies] = thrown instanceof ActionFailure ? [thrown.error, thrown.cookies] : [thrown, []];
      const mapped = toErrorResponse(error, cookies);
      response = mapped.response;
      log = { outcome: mapped.outcome.code, detail: mapped.outcome.detail, error: mapped.outcome.internal };
    }
    writeLog(logger, {
      route: route ?? 'unknown',
      method: safeMethod(request.method),
      status: response.status,
      latencyMs: Math.round((now() - started) * 10) / 10,
      requestId: safeRequestId(request.requestId),
      ...log,
    });
    return response;
  };
}

/** A failing log sink must not turn a good answer into an error. */
function writeLog(logger: RequestLogger, entry: RequestLogEntry): void {
  try {
    logger.log(entry);
  } catch {
    // Nothing sensible to do: the response matters more than the log line.
  }
}

function safeMethod(method: string): string {
  return /^[A-Z]{1,16}$/.test(method) ? method : 'OTHER';
}

function safeRequestId(requestId: string | undefined): string | undefined {
  return requestId !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(requestId) ? requestId : undefined;
}
