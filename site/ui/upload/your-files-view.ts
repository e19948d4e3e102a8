/**
 * "Your files": every upload of this account as S3 holds it (after a reload
 * too), with its name, size, date and status (checking, verified, or
 * rejected with the reason in plain words), Download for verified files,
 * Delete with a confirmation in the row, and "Show more" for the next page
 * of the uploads and of the rejected files.
 * The model is client/core/your-files.ts; this only places text and buttons.
 */
import { messageFor } from '../../../client/core/errors';
import { formatBytes } from '../../../client/core/format';
import { verdictText } from '../../core/upload-text';
import { YourFiles, type FileRow } from '../../../client/core/your-files';
import type { FilesApi } from '../../../client/core/your-files';
import { h, setText } from '../dom';
import type { Speaker } from '../forms';

export interface YourFilesView {
  readonly element: HTMLElement;
  readonly model: YourFiles;
  dispose(): void;
}

interface RowView {
  readonly tr: HTMLTableRowElement;
  readonly status: HTMLElement;
  readonly actions: HTMLElement;
  readonly download: HTMLButtonElement;
  readonly remove: HTMLButtonElement;
  last: string;
}

const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function yourFilesView(api: FilesApi, speaker: Speaker, onVerdict: (row: FileRow) => void): YourFilesView {
  const views = new Map<string, RowView>();
  const heading = h('h2', { id: 'your-files-title', tabindex: -1 }, 'Your files');
  const state = h('p', { class: 'empty', role: 'status' }, 'Loading your files…');
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'finished your-files', hidden: true, 'aria-labelledby': 'your-files-title' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col', class: 'numeric' }, 'Size'),
        h('th', { scope: 'col' }, 'Uploaded'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  const more = h('button', { type: 'button', class: 'button-secondary', hidden: true }, 'Show more files');
  const retry = h('button', { type: 'button', class: 'button-secondary', hidden: true }, 'Try again');
  const model = new YourFiles({ api, onChange: () => render() });
  const announced = new Map<string, string>();

  async function load(first: boolean): Promise<void> {
    retry.hidden = true;
    try {
      if (first) await model.loadFirst();
      else await model.loadMore();
    } catch (error) {
      setText(state, `Your files could not be listed: ${messageFor(error)}`);
      state.hidden = false;
      retry.hidden = false;
    }
    render();
  }
  more.addEventListener('click', () => {
    const before = new Set(model.rows().map((row) => row.key));
    void load(false).then(() => {
      // Focus goes to the first new file, so the keyboard carries on where the list grew. The uploads and the
      // quarantined files page separately, so new rows can land between earlier ones, not only at the end.
      const first = model.rows().find((row) => !before.has(row.key));
      const next = first === undefined ? undefined : views.get(first.key)?.tr.querySelector<HTMLButtonElement>('button:not([hidden])');
      (next ?? heading).focus();
    });
  });
  retry.addEventListener('click', () => void load(!model.loaded));

  function viewFor(row: FileRow): RowView {
    const existing = views.get(row.key);
    if (existing !== undefined) return existing;
    const download = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Download ${row.name}` }, 'Download');
    const remove = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Delete ${row.name}` }, 'Delete');
    const status = h('span', { class: 'file-status' });
    const actions = h('td', { class: 'file-actions' }, download, remove);
    const tr = h(
      'tr',
      { 'data-key': row.key },
      h('td', { class: 'name-cell' }, row.name),
      h('td', { class: 'numeric' }, formatBytes(row.size)),
      h('td', { class: 'numeric' }, row.uploadedAt === undefined ? '' : DATE.format(row.uploadedAt)),
      h('td', {}, status),
      actions,
    );
    const view: RowView = { tr, status, actions, download, remove, last: '' };
    download.addEventListener('click', () => {
      void model.downloadUrl(row.key).then(
        (url) => {
          // The URL answers with Content-Disposition: attachment, so the page stays and the browser saves the file.
          const link = h('a', { href: url, download: row.name, hidden: true });
          document.body.append(link);
          link.click();
          link.remove();
        },
        (error: unknown) => speaker.say(`${row.name} could not be downloaded: ${messageFor(error)}`),
      );
    });
    remove.addEventListener('click', () => confirmDelete(row.key, row.name, view));
    views.set(row.key, view);
    return view;
  }

  function confirmDelete(key: string, name: string, view: RowView): void {
    const question = h('span', { class: 'confirm-question', id: `confirm-${views.size}-${Date.now()}` }, `Delete ${name}?`);
    const yes = h('button', { type: 'button', class: 'button-danger', 'aria-describedby': question.id }, 'Delete');
    const no = h('button', { type: 'button', class: 'button-quiet', 'aria-describedby': question.id }, 'Keep');
    const box = h('span', { class: 'confirm-delete', role: 'group', 'aria-label': `Delete ${name}?` }, question, yes, no);
    view.download.hidden = true;
    view.remove.hidden = true;
    view.actions.append(box);
    no.focus();
    const close = () => {
      box.remove();
      view.remove.hidden = false;
      view.last = '';
      render();
    };
    no.addEventListener('click', () => {
      close();
      view.remove.focus();
    });
    yes.addEventListener('click', () => {
      const next = view.tr.nextElementSibling ?? view.tr.previousElementSibling;
      setText(yes, 'Deleting…');
      yes.setAttribute('aria-disabled', 'true');
      model.delete(key).then(
        () => {
          speaker.say(`${name} deleted.`);
          (next?.querySelector<HTMLButtonElement>('button:not([hidden])') ?? heading).focus();
        },
        (error: unknown) => {
          close();
          view.remove.focus();
          speaker.say(`${name} was not deleted: ${messageFor(error)}`);
        },
      );
    });
  }

  function render(): void {
    const rows = model.rows();
    const keep = new Set(rows.map((row) => row.key));
    for (const [key, view] of views) {
      if (!keep.has(key)) {
        view.tr.remove();
        views.delete(key);
      }
    }
    let previous: Element | null = null;
    for (const row of rows) {
      const view = viewFor(row);
      if ((previous === null ? body.firstElementChild : previous.nextElementSibling) !== view.tr) {
        if (previous === null) body.prepend(view.tr);
        else previous.after(view.tr);
      }
      previous = view.tr;
      const text = verdictText(row);
      view.tr.setAttribute('data-status', row.status);
      if (view.last !== text) {
        setText(view.status, row.status === 'checking' ? text.replace(/^Sent\. /, '') : text);
        view.last = text;
      }
      if (view.actions.querySelector('.confirm-delete') === null) {
        const hadFocus = view.download === document.activeElement;
        view.download.hidden = row.status !== 'verified';
        if (hadFocus && view.download.hidden) view.remove.focus();
      }
      if (row.status !== 'checking' && announced.get(row.key) !== row.status) {
        if (announced.has(row.key)) onVerdict(row);
        announced.set(row.key, row.status);
      } else if (!announced.has(row.key)) announced.set(row.key, row.status);
    }
    table.hidden = rows.length === 0;
    if (model.loaded) {
      state.hidden = rows.length > 0 || !retry.hidden;
      if (rows.length === 0 && retry.hidden) setText(state, 'Nothing uploaded yet.');
    }
    more.hidden = !model.hasMore;
  }

  void load(true);

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'your-files-title' },
    heading,
    h('p', { class: 'hint' }, 'Oldest first. Files are checked for safety after they arrive; only checked files can be downloaded.'),
    state,
    retry,
    h('div', { class: 'table-scroll' }, table),
    more,
  );
  return { element, model, dispose: () => model.dispose() };
}
