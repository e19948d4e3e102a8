/**
 * The MD5 worker: a separate bundle (dist/site/md5-worker-[hash].js, built
 * by scripts/build/site.mjs; dist/client/md5-worker.js for the library) so hashing a large file never blocks the page.
 * Messages: {id, blob, start, end} in, {id, md5} or {id, error} out. The Blob
 * is passed by reference (structured clone does not copy its bytes) and read
 * here in slices (core/md5.ts).
 */
import { md5Base64 } from './core/md5';

interface HashRequest {
  readonly id: number;
  readonly blob: Blob;
  readonly start: number;
  readonly end: number;
}

/** The part of DedicatedWorkerGlobalScope used here (the site's tsconfig has DOM types, not WebWorker ones). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

// One request at a time, in order: the page asks in the order it needs the digests.
let chain: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const { id, blob, start, end } = event.data;
  chain = chain.then(async () => {
    try {
      scope.postMessage({ id, md5: await md5Base64(blob, start, end) });
    } catch (error) {
      scope.postMessage({ id, error: error instanceof Error ? error.name : 'Error' });
    }
  });
};
