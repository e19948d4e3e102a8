/**
 * Form parts shared by the account screens: labelled fields with their hint
 * and error wired through aria-describedby, a password field with a show
 * toggle and the live policy checklist, a form-level alert, and a submit
 * button that says what it is doing.
 */
import { passwordChecklist } from '../core/password-checklist';
import { h, setText, uniqueId, type Child } from './dom';

export interface Field {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  value(): string;
  /** The error shown now, if any. */
  error(): string | undefined;
  /** Shows (or, with undefined, clears) the field's error and marks the input invalid. */
  setError(message: string | undefined): void;
}

export interface FieldOptions {
  readonly label: string;
  readonly name: string;
  readonly type?: string;
  readonly autocomplete?: string;
  readonly value?: string;
  readonly hint?: string;
  readonly inputmode?: string;
  readonly maxlength?: number;
  /** Extra elements between the input and the error (the password checklist). */
  readonly after?: Child;
  /** Ids of more elements that describe the input. */
  readonly describedBy?: readonly string[];
  /** Extra element beside the input (the show-password toggle). */
  readonly beside?: Child;
}

export function textField(options: FieldOptions): Field {
  const id = uniqueId(options.name);
  const hintId = options.hint === undefined ? undefined : `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hintId, ...(options.describedBy ?? [])].filter((x): x is string => x !== undefined);
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    maxlength: options.maxlength,
    value: options.value,
    required: true,
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-describedby': describedBy.length > 0 ? describedBy.join(' ') : undefined,
  });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    hintId === undefined ? undefined : h('p', { id: hintId, class: 'hint' }, options.hint ?? ''),
    options.beside === undefined ? input : h('div', { class: 'input-row' }, input, options.beside),
    options.after,
    error,
  );
  return {
    element,
    input,
    value: () => input.value,
    error: () => (error.hidden ? undefined : (error.textContent ?? undefined)),
    setError(message) {
      error.hidden = message === undefined;
      setText(error, message ?? '');
      if (message === undefined) {
        input.removeAttribute('aria-invalid');
        input.setAttribute('aria-describedby', describedBy.join(' '));
        if (describedBy.length === 0) input.removeAttribute('aria-describedby');
      } else {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [errorId, ...describedBy].join(' '));
      }
    },
  };
}

export function emailField(value?: string): Field {
  return textField({
    label: 'Email',
    name: 'email',
    type: 'email',
    autocomplete: 'email',
    inputmode: 'email',
    ...(value === undefined ? {} : { value }),
  });
}

export function codeField(): Field {
  return textField({
    label: 'Code',
    name: 'code',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    maxlength: 12,
    hint: 'The 6-digit code from the email.',
  });
}

/**
 * A password field. With `policy`, the password policy is listed under it and
 * each rule is ticked off as the person types.
 */
export function passwordField(options: {
  label: string;
  name: string;
  autocomplete: 'new-password' | 'current-password';
  policy: boolean;
}): Field {
  const checklistId = uniqueId('password-policy');
  const items = new Map<string, HTMLLIElement>();
  const checklist = options.policy ? h('ul', { id: checklistId, class: 'checklist', 'aria-label': 'Password requirements' }) : undefined;
  // The accessible name always contains the visible word (Show/Hide), so speech users can say what they see.
  const toggle = h('button', { type: 'button', class: 'button-quiet' }, 'Show');
  const field = textField({
    label: options.label,
    name: options.name,
    type: 'password',
    autocomplete: options.autocomplete,
    beside: toggle,
    after: checklist,
    ...(checklist === undefined ? {} : { describedBy: [checklistId] }),
  });
  toggle.setAttribute('aria-controls', field.input.id);
  const what = options.label.toLowerCase();
  toggle.setAttribute('aria-label', `Show ${what}`);
  toggle.addEventListener('click', () => {
    const show = field.input.type === 'password';
    field.input.type = show ? 'text' : 'password';
    setText(toggle, show ? 'Hide' : 'Show');
    toggle.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${what}`);
  });
  if (checklist !== undefined) {
    const update = () => {
      const seen = new Set<string>();
      for (const rule of passwordChecklist(field.input.value)) {
        seen.add(rule.text);
        let item = items.get(rule.text);
        if (item === undefined) {
          item = h('li', { class: 'rule' }, h('span', { class: 'visually-hidden rule-state' }), rule.text);
          items.set(rule.text, item);
          checklist.append(item);
        }
        item.classList.toggle('is-met', rule.met);
        setText(item.querySelector('.rule-state') as Element, rule.met ? 'Done: ' : 'Needed: ');
      }
      for (const [text, item] of items) {
        if (!seen.has(text)) {
          item.remove();
          items.delete(text);
        }
      }
    };
    field.input.addEventListener('input', update);
    update();
  }
  return field;
}

/** The form-level error (role=alert: read out as soon as it appears). */
export interface FormAlert {
  readonly element: HTMLElement;
  show(message: string, ...extra: Child[]): void;
  clear(): void;
}

export function formAlert(): FormAlert {
  const element = h('div', { class: 'form-error', role: 'alert', hidden: true });
  return {
    element,
    show(message, ...extra) {
      element.replaceChildren(h('p', {}, message, ...extra.flatMap((child) => [' ', child])));
      element.hidden = false;
    },
    clear() {
      element.hidden = true;
      element.replaceChildren();
    },
  };
}

/**
 * Runs `work` with the submit button marked busy and saying what is
 * happening. The button stays focusable (a disabled button would drop the
 * keyboard focus to the page); a second submit while busy is ignored.
 */
export async function whileSubmitting(button: HTMLButtonElement, busyLabel: string, work: () => Promise<void>): Promise<void> {
  if (isBusy(button)) return;
  const label = button.textContent ?? '';
  button.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  setText(button, busyLabel);
  try {
    await work();
  } finally {
    button.removeAttribute('aria-busy');
    button.removeAttribute('aria-disabled');
    setText(button, label);
  }
}

export function isBusy(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-busy') === 'true';
}

/** Says things to screen readers (the app's Announcer). */
export interface Speaker {
  say(text: string): void;
}

/**
 * Moves focus to the first field with an error and says the error: focus
 * alone is silent when it is already in that field (Enter pressed inside it).
 * Returns whether there was one.
 */
export function focusFirstError(fields: readonly Field[], speaker: Speaker): boolean {
  const first = fields.find((field) => field.input.getAttribute('aria-invalid') === 'true');
  if (first === undefined) return false;
  first.input.focus();
  const message = first.error();
  if (message !== undefined) speaker.say(message);
  return true;
}

/** Shows an error on one field, moves focus there and says it. */
export function reportFieldError(field: Field, message: string, speaker: Speaker): void {
  field.setError(message);
  field.input.focus();
  speaker.say(message);
}

export function submitButton(label: string): HTMLButtonElement {
  return h('button', { type: 'submit', class: 'button-primary' }, label);
}
