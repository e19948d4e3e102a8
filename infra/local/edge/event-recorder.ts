/**
 * `--record <dir>`: every event the local edge dispatches, sanitized
 * (sanitize-event.ts) and written as a fixture, in the folders
 * test/fixtures uses:
 *
 *   <dir>/lambda-edge/0001-presign-post-presign.json
 *   <dir>/cloudfront-functions/0002-auth-guard-post-auth-login.json
 *   <dir>/api-gateway/0003-auth-post-auth-login.json
 *
 * Numbers follow the order of dispatch across the three folders and go on
 * from the highest already in `dir`, so a second session adds to the first.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sanitizeEvent } from './sanitize-event';

export type RecordedEventKind = 'lambda-edge' | 'cloudfront-functions' | 'api-gateway';

export interface EventRecorder {
  /** Writes the sanitized event; returns the file written. */
  record(kind: RecordedEventKind, functionName: string, method: string, uri: string, event: unknown): string;
}

const KINDS: readonly RecordedEventKind[] = ['lambda-edge', 'cloudfront-functions', 'api-gateway'];

export function createEventRecorder(dir: string): EventRecorder {
  for (const kind of KINDS) mkdirSync(path.join(dir, kind), { recursive: true });
  let sequence = highestSequence(dir);
  return {
    record(kind, functionName, method, uri, event) {
      sequence += 1;
      const name = `${String(sequence).padStart(4, '0')}-${slug(`${functionName}-${method}-${uri}`)}.json`;
      const file = path.join(dir, kind, name);
      writeFileSync(file, `${JSON.stringify(sanitizeEvent(event), null, 2)}\n`, { encoding: 'utf8', mode: 0o644 });
      return file;
    },
  };
}

function highestSequence(dir: string): number {
  let highest = 0;
  for (const kind of KINDS) {
    for (const file of readdirSync(path.join(dir, kind))) {
      const number = /^(\d+)-/.exec(file)?.[1];
      if (number !== undefined) highest = Math.max(highest, Number(number));
    }
  }
  return highest;
}

/** Lower-case letters, digits and single dashes; at most 80 characters. */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'event'
  );
}
