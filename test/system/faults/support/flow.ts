/**
 * The browser's side of the flow, against any local edge by URL (a stack in
 * this process or in a child): JSON calls as the site's own page makes them,
 * sign-up through the dev mailbox, login, presign, and the form POST.
 */
import type { PresignedUpload } from '../../../../edge-functions/core/presign-routes';
import { fields, file, postForm, send, type HttpAnswer } from '../../../support/post-forms';

export interface Edge {
  /** The local edge. */
  readonly url: string;
}

export function postJson(edge: Edge, route: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return send(`${edge.url}${route}`, 'POST', bytes, {
    'Content-Type': 'application/json',
    Origin: edge.url,
    'Sec-Fetch-Site': 'same-origin',
    ...headers,
  });
}

export function parse<T>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new Error(`not JSON (HTTP ${answer.status}): ${answer.body.slice(0, 300)}`);
  }
}

export function errorCode(answer: HttpAnswer): string | undefined {
  return parse<{ error?: { code?: string } }>(answer).error?.code;
}

export async function mailCode(edge: Edge, email: string, kind: 'confirm' | 'reset'): Promise<string> {
  const answer = await send(`${edge.url}/_local/mailbox?email=${encodeURIComponent(email)}`, 'GET', undefined);
  const code = parse<{ messages: Array<{ kind: string; code: string }> }>(answer)
    .messages.filter((m) => m.kind === kind)
    .at(-1)?.code;
  if (code === undefined) throw new Error(`no ${kind} code for ${email}`);
  return code;
}

export interface Session {
  readonly email: string;
  readonly accessToken: string;
  readonly idToken: string;
  /** `name=value` of the refresh cookie. */
  readonly refreshCookie: string;
  readonly sub: string;
}

export async function logIn(edge: Edge, email: string, password: string): Promise<Session> {
  const answer = await postJson(edge, '/auth/login', { email, password });
  if (answer.status !== 200) throw new Error(`login ${email}: HTTP ${answer.status} ${answer.body}`);
  const body = parse<{ accessToken: string; idToken: string }>(answer);
  const setCookie = answer.headers['set-cookie'];
  const refreshCookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  const claims = JSON.parse(Buffer.from(body.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string };
  return { email, accessToken: body.accessToken, idToken: body.idToken, refreshCookie, sub: claims.sub };
}

export async function register(edge: Edge, email: string, password: string, confirm = true): Promise<void> {
  const registered = await postJson(edge, '/auth/register', { email, password });
  if (registered.status !== 201) throw new Error(`register ${email}: HTTP ${registered.status} ${registered.body}`);
  if (!confirm) return;
  const confirmed = await postJson(edge, '/auth/confirm', { email, code: await mailCode(edge, email, 'confirm') });
  if (confirmed.status !== 200) throw new Error(`confirm ${email}: HTTP ${confirmed.status} ${confirmed.body}`);
}

export function presign(edge: Edge, accessToken: string, files: unknown): Promise<HttpAnswer> {
  return send(`${edge.url}/presign`, 'POST', Buffer.from(JSON.stringify({ files })), {
    'Content-Type': 'application/json',
    Authorization: `Bearer ${accessToken}`,
  });
}

export async function presignAll(
  edge: Edge,
  accessToken: string,
  files: ReadonlyArray<{ name: string; size: number; type: string; id?: string }>,
): Promise<PresignedUpload[]> {
  const answer = await presign(edge, accessToken, files);
  if (answer.status !== 200) throw new Error(`presign: HTTP ${answer.status} ${answer.body}`);
  return parse<{ uploads: PresignedUpload[] }>(answer).uploads;
}

/** The browser's POST: every returned field in order, then the file, from the site's origin. */
export function upload(edge: Edge, form: PresignedUpload, content: Buffer, type: string): Promise<HttpAnswer> {
  return postForm(form.url, [...fields(Object.entries(form.fields)), file(content, form.key.split('/').pop() ?? 'file', type)], {
    Origin: edge.url,
  });
}
