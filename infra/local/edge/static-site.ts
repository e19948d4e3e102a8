/**
 * The site origin: the S3 site bucket behind origin access control, served
 * from `dist/site/`. The site-router CloudFront Function has already turned
 * app routes into `/index.html` and refused paths that climb; here the URI
 * is decoded the way S3 decodes a key, and must name a file inside the
 * folder. A missing object is 404 (with OAC and no ListBucket, S3 would say
 * 403; the local edge says what happened).
 *
 * Until the web app is built (a later issue), `/index.html` is a built-in
 * page that says so and shows how to use the API by hand.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EdgeNotFoundError } from './errors';
import type { EdgeReply } from './http-exchange';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

export const APP_SHELL = '/index.html';

export interface StaticSite {
  /** The object for a (still percent-encoded) URI, or EdgeNotFoundError. */
  serve(uri: string): EdgeReply;
}

export interface PlaceholderInfo {
  readonly siteDir: string;
  /** The local edge's URL, for the examples. */
  readonly baseUrl: string;
}

export function createStaticSite(siteDir: string, placeholder: PlaceholderInfo): StaticSite {
  const root = path.resolve(siteDir);
  return {
    serve(uri) {
      const file = fileFor(root, uri);
      if (file !== undefined) {
        return {
          status: 200,
          headers: [
            ['Content-Type', CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'],
            // Local development: always revalidate, so a rebuilt site shows at once.
            ['Cache-Control', 'no-cache'],
          ],
          body: readFileSync(file),
        };
      }
      if (uri === APP_SHELL && !existsSync(path.join(root, 'index.html'))) {
        return {
          status: 200,
          headers: [
            ['Content-Type', 'text/html; charset=utf-8'],
            ['Cache-Control', 'no-cache'],
          ],
          body: Buffer.from(placeholderPage(placeholder), 'utf8'),
        };
      }
      throw new EdgeNotFoundError('There is no such file.');
    },
  };
}

/** The file a URI names inside `root`, or undefined (missing, a folder, or outside `root`). */
function fileFor(root: string, uri: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(uri);
  } catch {
    return undefined;
  }
  if (key.includes('\0')) return undefined;
  const file = path.resolve(root, `.${key}`);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** No script, no inline style: the page lives under the same CSP as the real site. */
function placeholderPage(info: PlaceholderInfo): string {
  const url = escapeHtml(info.baseUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>edge-upload (local)</title>
</head>
<body>
<h1>edge-upload: the local stack is running</h1>
<p>The web app is not built yet (it is a later issue), so there is no page to show here:
nothing was found in <code>${escapeHtml(info.siteDir)}</code>.</p>
<p>The API works. Try it with curl:</p>
<pre>
curl -i -X POST ${url}/auth/register -H 'Content-Type: application/json' \\
  -d '{"email":"ann@example.com","password":"Correct-Horse-9-Battery"}'
curl -s '${url}/_local/mailbox?email=ann@example.com'
curl -i -X POST ${url}/auth/confirm -H 'Content-Type: application/json' \\
  -d '{"email":"ann@example.com","code":"&lt;code from the mailbox&gt;"}'
curl -i -X POST ${url}/auth/login -H 'Content-Type: application/json' \\
  -d '{"email":"ann@example.com","password":"Correct-Horse-9-Battery"}'
curl -i -X POST ${url}/presign -H 'Authorization: Bearer &lt;accessToken&gt;' -H 'Content-Type: application/json' \\
  -d '{"files":[{"name":"holiday.png","size":483211,"type":"image/png"}]}'
</pre>
<p>Then POST the file to the returned <code>url</code> with the returned <code>fields</code>, file last.
See <code>infra/local/README.md</code>.</p>
</body>
</html>
`;
}
