/**
 * The browser's POST of one file to S3: multipart/form-data with every
 * signed field in the order /presign gave them and the file last (S3 ignores
 * fields after the file). XMLHttpRequest, not fetch, because only XHR reports
 * upload progress. Listening to upload progress makes the request
 * non-simple, so the browser sends a CORS preflight first; the bucket's CORS
 * rule allows it.
 */
import type { PresignedForm } from '../core/api-contract';
import { AbortedError, NetworkError } from '../core/errors';
import { s3ErrorFromResponse } from '../core/s3-error';
import type { PostProgressOptions } from '../core/upload-queue';

export function postFormWithXhr(form: PresignedForm, file: Blob, options: PostProgressOptions): Promise<void> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError());
      return;
    }
    const body = new FormData();
    for (const [name, value] of form.fields) body.append(name, value);
    body.append('file', file);

    const xhr = new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    const settle = (outcome: () => void) => {
      signal.removeEventListener('abort', onAbortSignal);
      outcome();
    };
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () =>
      settle(() => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(s3ErrorFromResponse(xhr.status, typeof xhr.responseText === 'string' ? xhr.responseText : ''));
      }),
    );
    // Also what a CORS refusal looks like from script: no status, no body.
    xhr.addEventListener('error', () => settle(() => reject(new NetworkError('The connection to the storage service failed.'))));
    xhr.addEventListener('timeout', () => settle(() => reject(new NetworkError('The storage service did not answer in time.'))));
    xhr.addEventListener('abort', () => settle(() => reject(new AbortedError())));
    signal.addEventListener('abort', onAbortSignal, { once: true });

    xhr.open('POST', form.url);
    xhr.send(body);
  });
}
