/**
 * MD5 of a File range in the MD5 worker (client/md5-worker.ts). Its URL is
 * given: the site's build passes the worker's hashed file name, the library
 * its md5-worker.js next to itself (client/index.ts). There is
 * no fallback on the page: every target browser has workers, the CSP allows
 * a same-origin one, and leaving the MD5 code out of the app keeps it within
 * its size budget. A file whose hash fails is `failed` with a reason and a
 * Retry button.
 */
import { FileReadError } from '../core/errors';

interface Pending {
  resolve(md5: string): void;
  reject(error: unknown): void;
}

export class Md5WorkerClient {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** `workerUrl`: a same-origin script URL (the CSP's script-src governs workers); undefined means no worker. */
  constructor(private readonly workerUrl: string | URL | undefined) {}

  /** A Md5Hasher for the upload queue. */
  readonly md5Of = (file: Blob, start: number, end: number, signal: AbortSignal): Promise<string> => {
    const worker = this.ensureWorker();
    if (worker === undefined)
      return Promise.reject(
        new FileReadError('This browser could not start the file checker (a Web Worker). Reload the page and try again.'),
      );
    void signal; // the worker finishes a hash it started; a cancelled file ignores the answer
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, blob: file, start, end });
    });
  };

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new FileReadError());
    this.pending.clear();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker !== undefined || this.failed) return this.worker;
    const url = this.workerUrl;
    if (url === undefined || typeof Worker === 'undefined') {
      this.failed = true;
      return undefined;
    }
    try {
      const worker = new Worker(url);
      worker.onmessage = (event: MessageEvent<{ id: number; md5?: string; error?: string }>) => {
        const pending = this.pending.get(event.data.id);
        if (pending === undefined) return;
        this.pending.delete(event.data.id);
        if (typeof event.data.md5 === 'string') pending.resolve(event.data.md5);
        else pending.reject(new FileReadError());
      };
      worker.onerror = () => {
        // The worker could not load (or crashed): the waiting files fail with a reason; Retry starts a new worker.
        this.worker = undefined;
        for (const pending of this.pending.values()) pending.reject(new FileReadError('The file could not be checked. Try again.'));
        this.pending.clear();
      };
      this.worker = worker;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }
}
