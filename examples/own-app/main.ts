/**
 * Another app on another origin, using edge-upload/client the way any app
 * would: it signs in against Cognito itself (InitiateAuth
 * USER_PASSWORD_AUTH with its own app client, no edge-upload auth API), keeps
 * the tokens in memory, and hands `getToken` to the uploader. The edge must
 * trust the client id and allow this origin (docs/http-api.md).
 *
 * Locally (infra/local/example-app.ts) the addresses come from /config.json.
 */
import { createUploader, messageFor, type Uploader } from 'edge-upload/client';

interface Config {
  readonly edgeUrl: string;
  readonly cognitoEndpoint: string;
  readonly clientId: string;
}

interface Tokens {
  accessToken: string;
  refreshToken: string | undefined;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`no #${id}`);
  return found as T;
}

/** One Cognito API call (JSON 1.1), as the AWS SDK would send it; no SDK in the page. */
async function cognito(config: Config, target: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(config.cognitoEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(typeof answer.message === 'string' ? answer.message : `Cognito answered ${response.status}`);
  return answer;
}

function tokensOf(answer: Record<string, unknown>, previousRefresh?: string): Tokens {
  const result = answer.AuthenticationResult as { AccessToken?: unknown; RefreshToken?: unknown } | undefined;
  if (typeof result?.AccessToken !== 'string') throw new Error('Cognito gave no access token');
  return { accessToken: result.AccessToken, refreshToken: typeof result.RefreshToken === 'string' ? result.RefreshToken : previousRefresh };
}

async function start(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as Config;
  let tokens: Tokens | undefined;
  let uploader: Uploader | undefined;

  const getToken = async ({ forceRefresh }: { forceRefresh: boolean }): Promise<string> => {
    if (tokens === undefined) throw new Error('not signed in');
    if (forceRefresh && tokens.refreshToken !== undefined) {
      const answer = await cognito(config, 'InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: config.clientId,
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      });
      tokens = tokensOf(answer, tokens.refreshToken);
    }
    return tokens.accessToken;
  };

  element<HTMLFormElement>('sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    const status = element('sign-in-status');
    const USERNAME = element<HTMLInputElement>('email').value;
    const PASSWORD = element<HTMLInputElement>('password').value;
    status.textContent = 'Signing in…';
    cognito(config, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: config.clientId,
      AuthParameters: { USERNAME, PASSWORD },
    }).then(
      (answer) => {
        tokens = tokensOf(answer);
        uploader?.dispose();
        uploader = createUploader({ edgeUrl: config.edgeUrl, getToken });
        status.textContent = `Signed in as ${USERNAME}`;
        element('uploads').hidden = false;
        void refresh();
      },
      (error: unknown) => {
        status.textContent = `Could not sign in: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });

  element<HTMLInputElement>('file').addEventListener('change', (event) => {
    const input = event.currentTarget as HTMLInputElement;
    for (const file of Array.from(input.files ?? [])) void send(file);
    input.value = '';
  });
  element('refresh').addEventListener('click', () => void refresh());

  async function send(file: File): Promise<void> {
    if (uploader === undefined) return;
    const row = document.createElement('li');
    row.dataset.name = file.name;
    row.dataset.state = 'uploading';
    row.textContent = `${file.name}: starting`;
    element('progress').append(row);
    try {
      const result = await uploader.upload(file, {
        onProgress: (sent, total) => (row.textContent = `${file.name}: ${Math.floor((100 * sent) / Math.max(total, 1))} %`),
      });
      row.dataset.state = 'done';
      row.dataset.key = result.key;
      row.textContent = `${file.name}: stored${result.multipart ? ' (multipart)' : ''}`;
      await refresh();
    } catch (error) {
      row.dataset.state = 'failed';
      row.textContent = `${file.name}: ${messageFor(error)}`;
    }
  }

  async function refresh(): Promise<void> {
    if (uploader === undefined) return;
    const list = element('your-files');
    try {
      const page = await uploader.listFiles();
      list.replaceChildren(
        ...page.files.map((file) => {
          const item = document.createElement('li');
          item.dataset.key = file.key;
          item.textContent = `${file.key.split('/').at(-1) ?? file.key} (${file.size} bytes)`;
          return item;
        }),
      );
    } catch (error) {
      list.textContent = `Could not list your files: ${messageFor(error)}`;
    }
  }
}

void start();
