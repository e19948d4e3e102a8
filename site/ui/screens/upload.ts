/**
 * The upload screen: a drop zone with a file picker, the list of files with
 * their progress, and the table of finished uploads.
 *
 * Rows are created once per file and then only their text, progress value
 * and buttons change, in one animation frame per batch of progress events:
 * nothing moves while files upload (every row has the same fixed parts; the
 * finished table grows below the list, never above it).
 *
 * Large files (above the rules' postMaxBytes) go up as multipart uploads with
 * Pause and Resume; uploads left unfinished by an earlier visit are listed
 * under "Unfinished uploads" until their file is picked again (which resumes
 * them) or they are discarded.
 */
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { acceptAttribute, allowedSummary } from '../../core/file-check';
import { messageFor } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { fractionDone } from '../../core/transfer-stats';
import { isTerminal, summarize, UploadQueue, type UploadSnapshot, type UploadState } from '../../core/upload-queue';
import { milestoneReached, summaryText, unfinishedText, uploadErrorDetail, uploadNoticeText, uploadStatusText } from '../../core/upload-text';
import type { MultipartRecord } from '../../core/multipart-store';
import { Md5WorkerClient } from '../../net/md5-worker-client';
import { multipartSignerWith } from '../../net/multipart-api';
import { IndexedDbMultipartStore } from '../../net/multipart-store-idb';
import { presignWith } from '../../net/presign-api';
import { sendS3Request } from '../../net/s3-request';
import { postFormWithXhr } from '../../net/s3-form-post';
import { h, setText } from '../dom';
import { screenHeading, type Screen, type ScreenContext } from '../screen';

interface Row {
  readonly item: HTMLLIElement;
  readonly status: HTMLElement;
  readonly detail: HTMLElement;
  readonly progress: HTMLProgressElement;
  readonly cancel: HTMLButtonElement;
  readonly pause: HTMLButtonElement;
  readonly resume: HTMLButtonElement;
  readonly retry: HTMLButtonElement;
  readonly remove: HTMLButtonElement;
}

export function uploadScreen(context: ScreenContext): Screen {
  const rules = DEFAULT_UPLOAD_RULES;
  const latest = new Map<string, UploadSnapshot>();
  const lastState = new Map<string, UploadState>();
  const rows = new Map<string, Row>();
  const dirty = new Set<string>();
  let frame: number | undefined;
  let announcedFraction = 0;

  const hasher = new Md5WorkerClient();
  const queue = new UploadQueue<File>({
    presign: presignWith(context.session),
    post: postFormWithXhr,
    md5Of: hasher.md5Of,
    multipart: { ...multipartSignerWith(context.session), send: sendS3Request, store: new IndexedDbMultipartStore() },
    onUnfinishedChange: (records) => renderUnfinished(records),
    rules,
    onChange: (upload) => {
      latest.set(upload.id, upload);
      dirty.add(upload.id);
      const before = lastState.get(upload.id);
      lastState.set(upload.id, upload.state);
      if (before !== upload.state) stateChanged(upload, before);
      if (frame === undefined) frame = requestAnimationFrame(render);
    },
    onRemove: (id) => {
      latest.delete(id);
      lastState.delete(id);
      rows.get(id)?.item.remove();
      rows.delete(id);
      renderSummary();
    },
  });

  // ---- the drop zone and the picker ----
  const input = h('input', { type: 'file', multiple: true, accept: acceptAttribute(rules), hidden: true, id: 'file-input' });
  const chooseButton = h('button', { type: 'button', class: 'button-primary' }, 'Choose files');
  chooseButton.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    if (input.files !== null && input.files.length > 0) addFiles([...input.files]);
    input.value = ''; // so that choosing the same file again is a change too
  });
  const dropZone = h(
    'section',
    { class: 'dropzone', 'aria-label': 'Add files', 'aria-describedby': 'dropzone-hint' },
    h('p', { class: 'dropzone-title' }, 'Drag files here, or'),
    chooseButton,
    input,
    h('p', { class: 'hint', id: 'dropzone-hint' }, `Allowed: ${allowedSummary(rules)}.`),
  );

  // Drops anywhere on the page count: a file dropped next to the zone must not open in the tab.
  let dragDepth = 0;
  const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
  const onDragEnter = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    dragDepth += 1;
    dropZone.classList.add('is-dragging');
  };
  const onDragLeave = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) dropZone.classList.remove('is-dragging');
  };
  const onDragOver = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer !== null) event.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    dropZone.classList.remove('is-dragging');
    const files = event.dataTransfer === null ? [] : [...event.dataTransfer.files];
    if (files.length > 0) addFiles(files);
  };
  document.addEventListener('dragenter', onDragEnter);
  document.addEventListener('dragleave', onDragLeave);
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('drop', onDrop);

  // ---- the list ----
  const summary = h('p', { class: 'summary', id: 'upload-summary' }, 'No files yet.');
  const list = h('ul', { class: 'uploads', 'aria-labelledby': 'files-title', 'aria-describedby': 'upload-summary' });
  const filesTitle = h('h2', { id: 'files-title', tabindex: -1 }, 'Files');
  const cancelAll = h('button', { type: 'button', class: 'button-secondary', disabled: true }, 'Cancel all');
  const clearList = h('button', { type: 'button', class: 'button-secondary', disabled: true }, 'Clear finished');
  cancelAll.addEventListener('click', () => {
    queue.cancelAll();
    renderNow();
    filesTitle.focus();
  });
  clearList.addEventListener('click', () => {
    for (const upload of queue.list()) if (isTerminal(upload.state)) queue.remove(upload.id);
    renderNow();
    filesTitle.focus();
  });

  // ---- unfinished uploads from an earlier visit ----
  const unfinishedList = h('ul', { class: 'unfinished', id: 'unfinished-list' });
  const unfinishedSection = h(
    'section',
    { class: 'card', 'aria-labelledby': 'unfinished-title', hidden: true, id: 'unfinished-uploads' },
    h('h2', { id: 'unfinished-title' }, 'Unfinished uploads'),
    h('p', { class: 'hint' }, 'These large uploads stopped before they finished. Pick the same file again to resume where it stopped.'),
    unfinishedList,
  );

  function renderUnfinished(records: readonly MultipartRecord[]): void {
    const now = Date.now();
    unfinishedList.replaceChildren(
      ...records.map((record) => {
        const discard = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Discard the unfinished upload of ${record.file.name}` }, 'Discard');
        discard.addEventListener('click', () => {
          void queue.discardUnfinished(record.id);
          context.announcer.say(`Unfinished upload of ${record.file.name} discarded.`);
        });
        return h('li', { class: 'unfinished-item', 'data-upload-id': record.id }, h('span', {}, unfinishedText(record, now)), discard);
      }),
    );
    unfinishedSection.hidden = records.length === 0;
  }
  void queue.loadUnfinished();

  // ---- finished uploads ----
  const finishedBody = h('tbody');
  const finishedEmpty = h('p', { class: 'empty' }, 'Nothing uploaded yet.');
  const finishedTable = h(
    'table',
    { class: 'finished', hidden: true, 'aria-labelledby': 'finished-title' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'numeric' }, 'Size'), h('th', { scope: 'col' }, 'Key'))),
    finishedBody,
  );

  function addFiles(files: File[]): void {
    const added = queue.add(files);
    const refused = added.filter((upload) => upload.state === 'rejected');
    const accepted = added.length - refused.length;
    const sentences = [`${accepted} ${accepted === 1 ? 'file' : 'files'} added.`];
    for (const upload of refused) sentences.push(`Refused: ${messageFor(upload.error)}`);
    context.announcer.say(sentences.join(' '));
    renderNow();
  }

  function stateChanged(upload: UploadSnapshot, before: UploadState | undefined): void {
    if (upload.state === 'done') {
      context.announcer.say(`${upload.name} uploaded.`);
      addFinished(upload);
    } else if (upload.state === 'failed') {
      context.announcer.say(`${upload.name} failed: ${messageFor(upload.error)}`);
    } else if (upload.state === 'cancelled' && before !== undefined) {
      context.announcer.say(`${upload.name} cancelled.`);
    }
  }

  function addFinished(upload: UploadSnapshot): void {
    finishedBody.append(
      h('tr', {}, h('td', { class: 'name-cell' }, upload.name), h('td', { class: 'numeric' }, formatBytes(upload.size)), h('td', {}, h('code', { class: 'key' }, upload.key ?? ''))),
    );
    finishedTable.hidden = false;
    finishedEmpty.hidden = true;
  }

  function rowFor(upload: UploadSnapshot): Row {
    const existing = rows.get(upload.id);
    if (existing !== undefined) return existing;
    const id = upload.id;
    const cancel = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Cancel ${upload.name}` }, 'Cancel');
    const pause = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Pause ${upload.name}`, 'data-action': 'pause' }, 'Pause');
    const resume = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Resume ${upload.name}`, 'data-action': 'resume' }, 'Resume');
    const retry = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Retry ${upload.name}` }, 'Retry');
    const remove = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Remove ${upload.name} from the list` }, 'Remove');
    const progress = h('progress', { max: Math.max(upload.size, 1), value: 0, 'aria-label': `Progress of ${upload.name}` });
    const status = h('p', { class: 'upload-status' });
    const detail = h('p', { class: 'upload-detail', hidden: true });
    const item = h(
      'li',
      { class: 'upload', 'data-state': upload.state },
      h('div', { class: 'upload-head' }, h('span', { class: 'upload-name', title: upload.name }, upload.name), h('span', { class: 'upload-size' }, formatBytes(upload.size))),
      h('div', { class: 'upload-actions' }, pause, resume, cancel, retry, remove),
      progress,
      status,
      detail,
    );
    const built: Row = { item, status, detail, progress, cancel, pause, resume, retry, remove };
    pause.addEventListener('click', () => {
      queue.pause(id);
      renderNow();
      built.resume.focus();
    });
    resume.addEventListener('click', () => {
      queue.resume(id);
      renderNow();
      built.pause.focus();
    });
    cancel.addEventListener('click', () => {
      queue.cancel(id);
      renderNow();
      built.retry.focus();
    });
    retry.addEventListener('click', () => {
      queue.retry(id);
      renderNow();
      built.cancel.focus();
    });
    remove.addEventListener('click', () => {
      const next = built.item.nextElementSibling ?? built.item.previousElementSibling;
      queue.remove(id);
      renderNow();
      const target = next?.querySelector<HTMLButtonElement>('button:not([hidden])');
      if (target) target.focus();
      else filesTitle.focus();
    });
    rows.set(id, built);
    list.append(built.item);
    return built;
  }

  function renderRow(upload: UploadSnapshot): void {
    const row = rowFor(upload);
    row.item.setAttribute('data-state', upload.state);
    row.progress.hidden = upload.state === 'rejected';
    row.progress.value = upload.state === 'done' ? upload.size : upload.sent;
    setText(row.status, uploadStatusText(upload));
    const detail = uploadErrorDetail(upload) ?? uploadNoticeText(upload);
    setText(row.detail, detail ?? '');
    row.detail.hidden = detail === undefined;
    const terminal = isTerminal(upload.state);
    row.cancel.hidden = terminal;
    row.pause.hidden = !upload.multipart || (upload.state !== 'uploading' && upload.state !== 'queued');
    row.resume.hidden = upload.state !== 'paused';
    row.retry.hidden = upload.state !== 'failed' && upload.state !== 'cancelled';
    row.remove.hidden = !terminal;
  }

  function renderSummary(): void {
    const uploads = [...latest.values()];
    const totals = summarize(uploads);
    setText(summary, summaryText(totals));
    cancelAll.disabled = totals.active === 0;
    clearList.disabled = !uploads.some((upload) => isTerminal(upload.state));
    const fraction = totals.active > 0 ? fractionDone(totals.bytesSent, totals.bytesTotal) : 0;
    const milestone = milestoneReached(announcedFraction, fraction);
    if (milestone !== undefined) context.announcer.say(`Uploading: ${milestone}% done.`);
    announcedFraction = fraction;
  }

  function render(): void {
    frame = undefined;
    for (const id of dirty) {
      const upload = latest.get(id);
      if (upload !== undefined) renderRow(upload);
    }
    dirty.clear();
    renderSummary();
  }

  /** After a click: the row must show its new buttons before focus moves to one of them. */
  function renderNow(): void {
    if (frame !== undefined) cancelAnimationFrame(frame);
    render();
  }

  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (summarize([...latest.values()]).active === 0) return;
    event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);

  const element = h(
    'div',
    { class: 'upload-screen' },
    h('section', { class: 'card' }, screenHeading('Upload files'), dropZone),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'files-title' },
      h('div', { class: 'section-head' }, filesTitle, h('div', { class: 'button-row' }, cancelAll, clearList)),
      summary,
      list,
    ),
    unfinishedSection,
    h('section', { class: 'card', 'aria-labelledby': 'finished-title' }, h('h2', { id: 'finished-title' }, 'Finished uploads'), finishedEmpty, finishedTable),
  );

  return {
    title: 'Upload files',
    element,
    busy: () => summarize([...latest.values()]).active > 0,
    dispose: () => {
      queue.dispose();
      hasher.dispose();
      if (frame !== undefined) cancelAnimationFrame(frame);
      document.removeEventListener('dragenter', onDragEnter);
      document.removeEventListener('dragleave', onDragLeave);
      document.removeEventListener('dragover', onDragOver);
      document.removeEventListener('drop', onDrop);
      window.removeEventListener('beforeunload', beforeUnload);
    },
  };
}
