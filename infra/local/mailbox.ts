/**
 * The dev mailbox of the local stack (docs/local-stack.md): every confirmation and
 * reset code the user pool sends, kept in `<state>/mailbox.jsonl` (one JSON
 * object per line, oldest first) so a restart keeps it, and served by the
 * local edge at `GET /_local/mailbox?email=…`. Local only: nothing like it
 * is deployed. local-auth-gateway.ts puts the codes in.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type MailKind = 'confirm' | 'reset';

export interface MailboxMessage {
  readonly to: string;
  readonly kind: MailKind;
  readonly code: string;
  /** ISO 8601, when the code was sent. */
  readonly sentAt: string;
}

export class Mailbox {
  private readonly messages: MailboxMessage[];

  /** Opens (or creates) the mailbox file; lines that cannot be read are skipped, never fatal. */
  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.messages = existsSync(file) ? readMessages(readFileSync(file, 'utf8')) : [];
  }

  /** Keeps a message, in memory and on disk. */
  deliver(delivery: { readonly email: string; readonly kind: MailKind; readonly code: string; readonly sentAt: string }): void {
    const message: MailboxMessage = {
      to: normalizeEmail(delivery.email),
      kind: delivery.kind,
      code: delivery.code,
      sentAt: delivery.sentAt,
    };
    this.messages.push(message);
    appendFileSync(this.file, `${JSON.stringify(message)}\n`, { encoding: 'utf8', mode: 0o600 });
  }

  /** The messages sent to `email` (any case, surrounding spaces ignored), oldest first. */
  messagesFor(email: string): MailboxMessage[] {
    const to = normalizeEmail(email);
    return this.messages.filter((message) => message.to === to);
  }
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function readMessages(text: string): MailboxMessage[] {
  const messages: MailboxMessage[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // a line cut short by a crash: skip it, keep the rest
    }
    if (isMessage(parsed)) messages.push({ to: parsed.to, kind: parsed.kind, code: parsed.code, sentAt: parsed.sentAt });
  }
  return messages;
}

function isMessage(value: unknown): value is MailboxMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { to, kind, code, sentAt } = value as Record<string, unknown>;
  return typeof to === 'string' && (kind === 'confirm' || kind === 'reset') && typeof code === 'string' && typeof sentAt === 'string';
}
