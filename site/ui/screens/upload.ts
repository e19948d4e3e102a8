/**
 * The upload screen: the drop zone (site/ui/upload/drop-zone.ts), the files being
 * uploaded (site/ui/upload/upload-list.ts), uploads left unfinished by an earlier
 * visit, and "Your files" (site/ui/upload/your-files-view.ts): every stored file
 * with its verdict, shown after login and after every reload.
 *
 * A file this page sends is "checking" until the inspector decides; its row
 * in the list and in "Your files" then says verified or rejected, with the
 * reason. Nothing says "uploaded" before that.
 */
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { messageFor } from '../../../client/core/errors';
import { formatDate, duplicateQuestion } from '../../core/duplicates';
import { summarize, UploadQueue, type UploadSnapshot, type UploadState } from '../../../client/core/upload-queue';
import { unfinishedText } from '../../core/upload-text';
import type { MultipartRecord } from '../../../client/core/multipart-store';
import { filesApiWith } from '../../../client/net/files-api';
import type { Edge } from '../../../client/net/edge';
import { Md5WorkerClient } from '../../../client/net/md5-worker-client';
import { multipartSignerWith } from '../../../client/net/multipart-api';
import { IndexedDbMultipartStore } from '../../../client/net/multipart-store-idb';
import { presignWith } from '../../../client/net/presign-api';
import { sendS3Request } from '../../../client/net/s3-request';
import { postFormWithXhr } from '../../../client/net/s3-form-post';
import { h } from '../dom';
import { screenHeading, type Screen, type ScreenContext } from '../screen';
import { dropZone } from '../upload/drop-zone';
import { UploadList } from '../upload/upload-list';
import { yourFilesView } from '../upload/your-files-view';
import { rejectionText } from '../../../client/core/files-contract';

/** The worker's hashed file name, from the build (scripts/build/site.mjs). */
declare const MD5_WORKER_URL: string | undefined;

export function uploadScreen(context: ScreenContext): Screen {
  const rules = DEFAULT_UPLOAD_RULES;
  const lastState = new Map<string, UploadState>();
  const hasher = new Md5WorkerClient(typeof MD5_WORKER_URL === 'string' ? MD5_WORKER_URL : undefined);
  // The site is served by the edge itself: same origin, and its Session is the token source.
  const edge: Edge = { baseUrl: '', tokens: context.session };

  const yourFiles = yourFilesView(filesApiWith(edge), context.announcer, (row) => {
    list.verdictArrived(row.key);
    if (row.status === 'verified') context.announcer.say(`${row.name} passed the safety check.`);
    else if (row.status === 'rejected') context.announcer.say(`${row.name} was rejected: ${rejectionText(row.reason ?? '')}`);
  });
  const list = new UploadList({ queue: () => queue, rules, speaker: context.announcer, verdictFor: (key) => yourFiles.model.row(key) });

  const queue: UploadQueue<File> = new UploadQueue<File>({
    presign: presignWith(edge),
    post: postFormWithXhr,
    md5Of: hasher.md5Of,
    multipart: { ...multipartSignerWith(edge), send: sendS3Request, store: new IndexedDbMultipartStore() },
    onUnfinishedChange: (records) => renderUnfinished(records),
    rules,
    onChange: (upload) => {
      const before = lastState.get(upload.id);
      lastState.set(upload.id, upload.state);
      list.changed(upload);
      if (before !== upload.state) stateChanged(upload, before);
    },
    onRemove: (id) => {
      lastState.delete(id);
      list.removed(id);
    },
  });

  const zone = dropZone(rules, addFiles);

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
        const discard = h(
          'button',
          { type: 'button', class: 'button-quiet', 'aria-label': `Discard the unfinished upload of ${record.file.name}` },
          'Discard',
        );
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

  function addFiles(picked: File[]): void {
    // The same file twice would be stored twice (each upload gets its own key): ask first.
    const inList = list.snapshots().filter((upload) => upload.state !== 'rejected' && upload.state !== 'cancelled');
    const files: File[] = [];
    const skipped: string[] = [];
    for (const file of picked) {
      const question = duplicateQuestion(file, {
        inList:
          inList.some((upload) => {
            const other = list.files.get(upload.id);
            return other !== undefined && other.name === file.name && other.size === file.size && other.lastModified === file.lastModified;
          }) || files.some((other) => other.name === file.name && other.size === file.size && other.lastModified === file.lastModified),
        stored: yourFiles.model.rows().find((row) => row.status !== 'rejected' && row.name === file.name && row.size === file.size),
        formatDate,
      });
      if (question === undefined || window.confirm(question)) files.push(file);
      else skipped.push(file.name);
    }
    const added = files.length === 0 ? [] : queue.add(files);
    added.forEach((upload, index) => {
      const file = files[index];
      // Before the next frame draws the row: its thumbnail and duplicate checks need the File.
      if (file !== undefined) list.files.set(upload.id, file);
    });
    const refused = added.filter((upload) => upload.state === 'rejected');
    const accepted = added.length - refused.length;
    const sentences = [`${accepted} ${accepted === 1 ? 'file' : 'files'} added.`];
    if (skipped.length > 0) sentences.push(`Not added again: ${skipped.join(', ')}.`);
    for (const upload of refused) sentences.push(`Refused: ${messageFor(upload.error)}`);
    context.announcer.say(sentences.join(' '));
    list.renderNow();
  }

  function stateChanged(upload: UploadSnapshot, before: UploadState | undefined): void {
    if (upload.state === 'done') {
      context.announcer.say(`${upload.name} sent; it is being checked.`);
      if (upload.key !== undefined) yourFiles.model.track(upload.key, upload.size);
    } else if (upload.state === 'failed') {
      context.announcer.say(`${upload.name} failed: ${messageFor(upload.error)}`);
    } else if (upload.state === 'cancelled' && before !== undefined) {
      context.announcer.say(`${upload.name} cancelled.`);
    }
  }

  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (summarize(list.snapshots()).active === 0) return;
    event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);

  const element = h(
    'div',
    { class: 'upload-screen' },
    h('section', { class: 'card' }, screenHeading('Upload files'), zone.element),
    list.element,
    unfinishedSection,
    yourFiles.element,
  );

  return {
    title: 'Upload files',
    element,
    busy: () => summarize(list.snapshots()).active > 0,
    dispose: () => {
      queue.dispose();
      hasher.dispose();
      list.dispose();
      zone.dispose();
      yourFiles.dispose();
      window.removeEventListener('beforeunload', beforeUnload);
    },
  };
}
