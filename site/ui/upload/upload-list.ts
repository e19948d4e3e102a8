/**
 * The list of files being uploaded on this page. Rows are created once per
 * file and then only their text, progress value and buttons change, in one
 * animation frame per batch of progress events, so nothing moves while files
 * upload. In each row the name comes first, then the status, then the
 * buttons: the order a screen reader reads and the keyboard walks.
 *
 * When a row's buttons change under the keyboard focus (Cancel disappears
 * as the upload finishes), focus moves to the row's next useful button,
 * never to the page.
 */
import type { UploadRules } from '../../../edge-functions/core/upload-rules';
import { checkFile } from '../../../client/core/file-check';
import { formatBytes } from '../../../client/core/format';
import { fractionDone } from '../../../client/core/transfer-stats';
import { isTerminal, summarize, type UploadQueue, type UploadSnapshot } from '../../../client/core/upload-queue';
import {
  milestoneReached,
  summaryText,
  uploadErrorDetail,
  uploadNoticeText,
  uploadStatusText,
  type VerdictFacts,
} from '../../core/upload-text';
import { h, setText } from '../dom';
import type { Speaker } from '../forms';

interface Row {
  readonly item: HTMLLIElement;
  readonly status: HTMLElement;
  readonly detail: HTMLElement;
  readonly progress: HTMLProgressElement;
  readonly actions: HTMLElement;
  readonly cancel: HTMLButtonElement;
  readonly pause: HTMLButtonElement;
  readonly resume: HTMLButtonElement;
  readonly retry: HTMLButtonElement;
  readonly remove: HTMLButtonElement;
  readonly thumbnail: string | undefined;
}

export interface UploadListOptions {
  readonly queue: () => UploadQueue<File>;
  readonly rules: UploadRules;
  readonly speaker: Speaker;
  readonly verdictFor: (key: string) => VerdictFacts | undefined;
}

export class UploadList {
  readonly element: HTMLElement;
  private readonly latest = new Map<string, UploadSnapshot>();
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  /** The local File of each upload added on this page (thumbnails, duplicate checks). */
  readonly files = new Map<string, File>();
  private readonly list: HTMLUListElement;
  private readonly summary: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly cancelAll: HTMLButtonElement;
  private readonly clearList: HTMLButtonElement;
  private frame: number | undefined;
  private announcedFraction = 0;
  private baseTitle: string | undefined;

  constructor(private readonly options: UploadListOptions) {
    this.summary = h('p', { class: 'summary', id: 'upload-summary' }, 'No files yet.');
    this.list = h('ul', { class: 'uploads', 'aria-labelledby': 'files-title', 'aria-describedby': 'upload-summary' });
    this.title = h('h2', { id: 'files-title', tabindex: -1 }, 'Files');
    this.cancelAll = h('button', { type: 'button', class: 'button-secondary', disabled: true }, 'Cancel all');
    this.clearList = h('button', { type: 'button', class: 'button-secondary', disabled: true }, 'Clear sent and refused');
    this.cancelAll.addEventListener('click', () => {
      this.options.queue().cancelAll();
      this.renderNow();
      this.title.focus();
    });
    // Only files that need nothing more: failed and cancelled files keep their Retry button.
    this.clearList.addEventListener('click', () => {
      for (const upload of this.options.queue().list())
        if (upload.state === 'done' || upload.state === 'rejected') this.options.queue().remove(upload.id);
      this.renderNow();
      this.title.focus();
    });
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'files-title' },
      h('div', { class: 'section-head' }, this.title, h('div', { class: 'button-row' }, this.cancelAll, this.clearList)),
      this.summary,
      this.list,
    );
  }

  snapshots(): UploadSnapshot[] {
    return [...this.latest.values()];
  }

  changed(upload: UploadSnapshot): void {
    this.latest.set(upload.id, upload);
    this.dirty.add(upload.id);
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => this.render());
  }

  /** A verdict arrived for a sent file: its row's status changes. */
  verdictArrived(key: string): void {
    for (const upload of this.latest.values()) if (upload.key === key) this.changed(upload);
  }

  removed(id: string): void {
    this.latest.delete(id);
    const row = this.rows.get(id);
    if (row?.thumbnail !== undefined) URL.revokeObjectURL(row.thumbnail);
    row?.item.remove();
    this.rows.delete(id);
    this.files.delete(id);
    this.renderSummary();
  }

  /** After a click: the row must show its new buttons before focus moves to one of them. */
  renderNow(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.render();
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    for (const row of this.rows.values()) if (row.thumbnail !== undefined) URL.revokeObjectURL(row.thumbnail);
    if (this.baseTitle !== undefined) document.title = this.baseTitle;
  }

  private rowFor(upload: UploadSnapshot): Row {
    const existing = this.rows.get(upload.id);
    if (existing !== undefined) return existing;
    const id = upload.id;
    const queue = this.options.queue;
    const button = (label: string, name: string, action?: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'button-quiet',
          'aria-label': `${name} ${upload.name}${label === 'Remove' ? ' from the list' : ''}`,
          'data-action': action,
        },
        label,
      );
    const cancel = button('Cancel', 'Cancel');
    const pause = button('Pause', 'Pause', 'pause');
    const resume = button('Resume', 'Resume', 'resume');
    const retry = button('Retry', 'Retry');
    const remove = button('Remove', 'Remove');
    const progress = h('progress', { max: Math.max(upload.size, 1), value: 0, 'aria-label': `Progress of ${upload.name}` });
    const status = h('p', { class: 'upload-status' });
    const detail = h('p', { class: 'upload-detail', hidden: true });
    const actions = h('div', { class: 'upload-actions' }, pause, resume, cancel, retry, remove);
    const file = this.files.get(id);
    // A preview of the local file (img-src allows blob:); nothing is fetched.
    const thumbnail =
      file !== undefined && upload.state !== 'rejected' && /^image\/(png|jpeg|gif|webp)$/.test(file.type)
        ? URL.createObjectURL(file)
        : undefined;
    const renamed = this.savedAs(upload);
    const item = h(
      'li',
      { class: 'upload', 'data-state': upload.state },
      h(
        'div',
        { class: 'upload-head' },
        thumbnail === undefined
          ? h('span', { class: 'thumb thumb-empty', 'aria-hidden': 'true' })
          : h('img', { class: 'thumb', src: thumbnail, alt: '', width: 40, height: 40 }),
        h('span', { class: 'upload-name' }, upload.name),
        h('span', { class: 'upload-size' }, formatBytes(upload.size)),
      ),
      renamed === undefined
        ? undefined
        : h('p', { class: 'upload-renamed' }, `Will be saved as ${renamed}: some characters are not allowed in stored names.`),
      status,
      detail,
      progress,
      actions,
    );
    const built: Row = { item, status, detail, progress, actions, cancel, pause, resume, retry, remove, thumbnail };
    pause.addEventListener('click', () => {
      queue().pause(id);
      this.renderNow();
      built.resume.focus();
    });
    resume.addEventListener('click', () => {
      queue().resume(id);
      this.renderNow();
      built.pause.focus();
    });
    cancel.addEventListener('click', () => {
      queue().cancel(id);
      this.renderNow();
      built.retry.focus();
    });
    retry.addEventListener('click', () => {
      queue().retry(id);
      this.renderNow();
      built.cancel.focus();
    });
    remove.addEventListener('click', () => {
      const next = built.item.nextElementSibling ?? built.item.previousElementSibling;
      queue().remove(id);
      this.renderNow();
      const target = next?.querySelector<HTMLButtonElement>('button:not([hidden])');
      if (target) target.focus();
      else this.title.focus();
    });
    this.rows.set(id, built);
    this.list.append(built.item);
    return built;
  }

  /** The stored name when the edge's sanitizer changes it, else undefined. */
  private savedAs(upload: UploadSnapshot): string | undefined {
    if (upload.state === 'rejected') return undefined;
    try {
      const { safeName } = checkFile(upload, this.options.rules);
      return safeName === upload.name ? undefined : safeName;
    } catch {
      return undefined;
    }
  }

  private renderRow(upload: UploadSnapshot): void {
    const row = this.rowFor(upload);
    const focusInRow = row.actions.contains(document.activeElement);
    row.item.setAttribute('data-state', upload.state);
    if (upload.key !== undefined) row.item.setAttribute('data-key', upload.key);
    const verdict = upload.state === 'done' && upload.key !== undefined ? this.options.verdictFor(upload.key) : undefined;
    if (verdict !== undefined) row.item.setAttribute('data-verdict', verdict.status);
    row.progress.hidden = upload.state === 'rejected';
    row.progress.value = upload.state === 'done' ? upload.size : upload.sent;
    setText(row.status, uploadStatusText(upload, verdict));
    const detail = uploadErrorDetail(upload) ?? uploadNoticeText(upload);
    setText(row.detail, detail ?? '');
    row.detail.hidden = detail === undefined;
    const terminal = isTerminal(upload.state);
    row.cancel.hidden = terminal;
    row.pause.hidden = !upload.multipart || (upload.state !== 'uploading' && upload.state !== 'queued');
    row.resume.hidden = upload.state !== 'paused';
    row.retry.hidden = upload.state !== 'failed' && upload.state !== 'cancelled';
    row.remove.hidden = !terminal;
    // The focused button just went away (Cancel when the upload finished): keep focus in the row.
    if (focusInRow && !row.actions.contains(document.activeElement)) {
      (row.actions.querySelector<HTMLButtonElement>('button:not([hidden])') ?? this.title).focus();
    } else if (focusInRow && document.activeElement instanceof HTMLElement && document.activeElement.hidden) {
      (row.actions.querySelector<HTMLButtonElement>('button:not([hidden])') ?? this.title).focus();
    }
  }

  private renderSummary(): void {
    const uploads = this.snapshots();
    const totals = summarize(uploads);
    setText(this.summary, summaryText(totals));
    this.cancelAll.disabled = totals.active === 0;
    this.clearList.disabled = !uploads.some((upload) => upload.state === 'done' || upload.state === 'rejected');
    const fraction = totals.active > 0 ? fractionDone(totals.bytesSent, totals.bytesTotal) : 0;
    const milestone = milestoneReached(this.announcedFraction, fraction);
    if (milestone !== undefined) this.options.speaker.say(`Uploading: ${milestone}% done.`);
    this.announcedFraction = fraction;
    // The tab's title shows progress, for a person working in another tab.
    this.baseTitle ??= document.title;
    document.title = totals.active > 0 ? `${Math.floor(fraction * 100)}% sent · ${this.baseTitle}` : this.baseTitle;
  }

  private render(): void {
    this.frame = undefined;
    for (const id of this.dirty) {
      const upload = this.latest.get(id);
      if (upload !== undefined) this.renderRow(upload);
    }
    this.dirty.clear();
    this.renderSummary();
  }
}
