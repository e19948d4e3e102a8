/** The eight /auth routes (origin/README.md), each a typed function. */
import { parseStatus, parseTokenGrant, type TokenGrant } from '../../client/core/api-contract';
import { postJson } from '../../client/net/http';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export type RegisterResult = { readonly confirmed: true } | { readonly confirmed: false; readonly destination: string | undefined };

export async function register(credentials: Credentials, signal: AbortSignal): Promise<RegisterResult> {
  const answer = await postJson('/auth/register', { body: credentials, signal });
  const result = parseStatus(answer.status, answer.body);
  return result.status === 'CONFIRMED' ? { confirmed: true } : { confirmed: false, destination: result.destination };
}

export async function confirm(email: string, code: string, signal: AbortSignal): Promise<void> {
  await postJson('/auth/confirm', { body: { email, code }, signal });
}

export async function resend(email: string, signal: AbortSignal): Promise<void> {
  await postJson('/auth/resend', { body: { email }, signal });
}

export async function login(credentials: Credentials, signal: AbortSignal): Promise<TokenGrant> {
  const answer = await postJson('/auth/login', { body: credentials, signal });
  return parseTokenGrant(answer.status, answer.body);
}

export async function refresh(signal: AbortSignal): Promise<TokenGrant> {
  const answer = await postJson('/auth/refresh', { signal });
  return parseTokenGrant(answer.status, answer.body);
}

export async function logout(signal: AbortSignal): Promise<void> {
  await postJson('/auth/logout', { signal });
}

export async function forgot(email: string, signal: AbortSignal): Promise<void> {
  await postJson('/auth/forgot', { body: { email }, signal });
}

export async function reset(email: string, code: string, newPassword: string, signal: AbortSignal): Promise<void> {
  await postJson('/auth/reset', { body: { email, code, newPassword }, signal });
}
