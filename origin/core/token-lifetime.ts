/**
 * `expiresIn` for the login and refresh responses. Cognito returns
 * `ExpiresIn`; cognito-local leaves it out, so the lifetime is read from the
 * access token's own `exp` and `iat` claims instead. The token came straight
 * from Cognito over TLS (or from the local emulator), so its payload is read,
 * not verified: it is only used to tell the browser when to refresh.
 */
import { isPlainObject, safeJsonParse } from '../../edge-functions/core/safe-json';

export function accessTokenLifetimeSeconds(expiresIn: number | undefined, accessToken: string): number | undefined {
  if (expiresIn !== undefined && Number.isInteger(expiresIn) && expiresIn > 0) return expiresIn;
  return lifetimeFromClaims(accessToken);
}

function lifetimeFromClaims(jwt: string): number | undefined {
  const payload = jwt.split('.')[1];
  if (payload === undefined || !/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
  const parsed = safeJsonParse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!parsed.ok || !isPlainObject(parsed.value)) return undefined;
  const claims = parsed.value;
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number') return undefined;
  const lifetime = Math.floor(exp - iat);
  return lifetime > 0 ? lifetime : undefined;
}
