/**
 * The example app (examples/own-app/, built to dist/examples/own-app/) on an
 * origin of its own: what "another app" looks like to the edge. It signs in
 * against cognito-local directly and uploads through the edge with
 * edge-upload/client, cross-origin, so its origin must be in the stack's
 * allowedOrigins. Hence two steps: listen first (the origin is known, also
 * for port 0), start the stack with that origin allowed, then `configure`
 * with the stack's addresses, which the page reads from /config.json (no
 * inline script: the page has a strict CSP of its own).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { listen } from './listen';
import { PortInUseError } from './errors';

/** What the page needs to know about the stack it runs against. */
export interface ExampleAppConfig {
  /** The local edge (docs/http-api.md), e.g. http://127.0.0.1:3000. */
  readonly edgeUrl: string;
  /** Where the browser POSTs files (the guard): the CSP's connect-src. */
  readonly uploadUrl: string;
  readonly cognitoEndpoint: string;
  /** The app client the page signs in with (USER_PASSWORD_AUTH), one the edge trusts. */
  readonly clientId: string;
}

export interface ExampleApp {
  /** http://127.0.0.1:<port>: the origin to put in allowedOrigins. */
  readonly url: string;
  configure(config: ExampleAppConfig): void;
  close(): Promise<void>;
}

export const EXAMPLE_APP_PORT_ENV = 'EXAMPLE_APP_PORT';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The page's own CSP: only its own scripts (the worker too), and requests to the edge, the bucket and Cognito. */
export function exampleAppCsp(config: ExampleAppConfig): string {
  const connect = [...new Set([config.edgeUrl, config.uploadUrl, config.cognitoEndpoint].map((url) => new URL(url).origin))];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function listenExampleApp(options: {
  readonly dir: string;
  readonly port: number;
  readonly host?: string;
}): Promise<ExampleApp> {
  const root = path.resolve(options.dir);
  if (!existsSync(path.join(root, 'index.html')))
    throw new Error(`${root}/index.html does not exist: run \`node scripts/build.mjs examples\` first`);
  let config: ExampleAppConfig | undefined;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://example.invalid');
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...(config === undefined ? {} : { 'Content-Security-Policy': exampleAppCsp(config) }),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    if (url.pathname === '/config.json') {
      if (config === undefined) return send(503, 'text/plain; charset=utf-8', 'The local stack is still starting.\n');
      return send(200, 'application/json', `${JSON.stringify(config)}\n`);
    }
    // Only plain file names in the one folder: nothing that climbs, nothing encoded.
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const extension = path.extname(name);
    const file = path.join(root, name);
    if (!/^[A-Za-z0-9._-]+$/.test(name) || CONTENT_TYPES[extension] === undefined || !existsSync(file) || !statSync(file).isFile()) {
      return send(404, 'text/plain; charset=utf-8', 'Not found\n');
    }
    return send(200, CONTENT_TYPES[extension] ?? 'application/octet-stream', readFileSync(file));
  });

  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await listen(server, options.port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError('example app', options.port, EXAMPLE_APP_PORT_ENV);
    throw error;
  }
  return {
    url: `http://${host}:${port}`,
    configure(next) {
      config = Object.freeze({ ...next });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
