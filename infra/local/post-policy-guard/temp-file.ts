/**
 * Spooled bodies go to temporary files; a refused request must leave none.
 * A file write stream destroyed before it has opened its file (the client
 * went away, a limit was hit) still opens, and so creates, the file; it does
 * so after the pipeline that fed it has already failed. Removing the file
 * then is too early: wait until the stream has closed.
 */
import type { WriteStream } from 'node:fs';

/** Resolves once the stream has closed its file (at once if it has). */
export function whenClosed(stream: WriteStream): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}
