/**
 * Adding the same file twice stores two copies (every upload has its own id,
 * so its own key). Before that happens the page asks; these are its words.
 */

export interface DuplicateFacts {
  /** The same file (name, size, modification time) is already in this page's list. */
  readonly inList: boolean;
  /** A stored file with the same name and size, from "Your files". */
  readonly stored: { readonly uploadedAt: number | undefined } | undefined;
  readonly formatDate: (at: number) => string;
}

/** The question to ask before adding `file`, or undefined when it is not a duplicate. */
export function duplicateQuestion(file: { readonly name: string }, facts: DuplicateFacts): string | undefined {
  if (facts.inList) return `${file.name} is already in the list. Add it again and store a second copy?`;
  if (facts.stored !== undefined) {
    const when = facts.stored.uploadedAt === undefined ? '' : ` on ${facts.formatDate(facts.stored.uploadedAt)}`;
    return `You already uploaded a file named ${file.name} of the same size${when}. Upload it again and store a second copy?`;
  }
  return undefined;
}

const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export function formatDate(at: number): string {
  return DATE.format(at);
}
