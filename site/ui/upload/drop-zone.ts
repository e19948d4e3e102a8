/**
 * The drop zone: "Choose files", the allowed kinds said once in plain words,
 * and drops anywhere on the page (a file dropped next to the zone must not
 * open in the tab). On a touch screen, where nothing can be dragged in, it
 * does not offer dragging.
 */
import type { UploadRules } from '../../../edge-functions/core/upload-rules';
import { acceptAttribute, allowedSummary } from '../../../client/core/file-check';
import { h } from '../dom';

export interface DropZone {
  readonly element: HTMLElement;
  dispose(): void;
}

export function dropZone(rules: UploadRules, onFiles: (files: File[]) => void): DropZone {
  const input = h('input', { type: 'file', multiple: true, accept: acceptAttribute(rules), hidden: true, id: 'file-input' });
  const chooseButton = h('button', { type: 'button', class: 'button-primary' }, 'Choose files');
  chooseButton.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    if (input.files !== null && input.files.length > 0) onFiles([...input.files]);
    input.value = ''; // so that choosing the same file again is a change too
  });
  const touchOnly = typeof matchMedia === 'function' && matchMedia('(hover: none) and (pointer: coarse)').matches;
  const element = h(
    'section',
    { class: 'dropzone', 'aria-label': 'Add files', 'aria-describedby': 'dropzone-hint' },
    h('p', { class: 'dropzone-title' }, touchOnly ? 'Pick the files to upload' : 'Drag files here, or'),
    chooseButton,
    input,
    h('p', { class: 'hint', id: 'dropzone-hint' }, `You can upload ${allowedSummary(rules)}.`),
  );

  let dragDepth = 0;
  const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
  const onDragEnter = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    dragDepth += 1;
    element.classList.add('is-dragging');
  };
  const onDragLeave = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) element.classList.remove('is-dragging');
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
    element.classList.remove('is-dragging');
    const files = event.dataTransfer === null ? [] : [...event.dataTransfer.files];
    if (files.length > 0) onFiles(files);
  };
  document.addEventListener('dragenter', onDragEnter);
  document.addEventListener('dragleave', onDragLeave);
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('drop', onDrop);

  return {
    element,
    dispose() {
      document.removeEventListener('dragenter', onDragEnter);
      document.removeEventListener('dragleave', onDragLeave);
      document.removeEventListener('dragover', onDragOver);
      document.removeEventListener('drop', onDrop);
    },
  };
}
