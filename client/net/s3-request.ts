/**
 * One presigned request to S3 (create, a part, complete, list, abort),
 * sent exactly as the edge signed it: that method, that URL, exactly those
 * headers. XMLHttpRequest, because only XHR reports upload progress (a part
 * is 8 MiB or more). The `ETag` of a part's answer is readable because the
 * bucket's CORS rule exposes it.
 */
import { AbortedError, NetworkError } from '../core/errors';
import type { S3Answer, S3Body, S3SendOptions } from '../core/multipart-upload';
import type { SignedRequest } from '../core/multipart-contract';

export function sendS3Request(request: SignedRequest, body: S3Body<Blob> | undefined, options: S3SendOptions): Promise<S3Answer> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError());
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    const settle = (outcome: () => void) => {
      signal.removeEventListener('abort', onAbortSignal);
      outcome();
    };
    if (onProgress !== undefined) {
      xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    }
    xhr.addEventListener('load', () =>
      settle(() =>
        resolve({
          status: xhr.status,
          etag: xhr.getResponseHeader('ETag'),
          body: typeof xhr.responseText === 'string' ? xhr.responseText : '',
        }),
      ),
    );
    // Also what a CORS refusal looks like from script: no status, no body.
    xhr.addEventListener('error', () => settle(() => reject(new NetworkError('The connection to the storage service failed.'))));
    xhr.addEventListener('timeout', () => settle(() => reject(new NetworkError('The storage service did not answer in time.'))));
    xhr.addEventListener('abort', () => settle(() => reject(new AbortedError())));
    signal.addEventListener('abort', onAbortSignal, { once: true });

    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    if (body === undefined) xhr.send();
    else if (body.kind === 'text') xhr.send(body.text);
    else xhr.send(body.file.slice(body.start, body.end)); // a Blob slice: the browser streams it from disk
  });
}
