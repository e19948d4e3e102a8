/**
 * Unfinished multipart uploads in IndexedDB (one object store, keyed by the
 * upload's id), so that a reload or a crash can resume them. Records are read
 * back as `unknown` and checked: a malformed one is skipped. Without
 * IndexedDB (some private modes) every call rejects and the queue carries on
 * without resume-after-reload.
 */
import { isMultipartRecord, type MultipartRecord, type MultipartStore } from '../core/multipart-store';

const DB_NAME = 'edge-upload';
const DB_VERSION = 1;
const STORE = 'multipart-uploads';

export class IndexedDbMultipartStore implements MultipartStore {
  private db: Promise<IDBDatabase> | undefined;

  list(): Promise<MultipartRecord[]> {
    return this.run('readonly', (store) => store.getAll()).then((values: unknown) =>
      Array.isArray(values) ? values.filter(isMultipartRecord) : [],
    );
  }

  put(record: MultipartRecord): Promise<void> {
    return this.run('readwrite', (store) => store.put(record)).then(() => undefined);
  }

  delete(id: string): Promise<void> {
    return this.run('readwrite', (store) => store.delete(id)).then(() => undefined);
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new Error('IndexedDB is not available'));
        return;
      }
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    });
    return this.db;
  }

  private async run(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB request failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  }
}
