/**
 * Building DOM without a framework and without HTML strings: every text goes
 * in as a text node (no innerHTML anywhere, so a file name cannot become
 * markup), and no `style` attribute is ever set (the CSP has no
 * 'unsafe-inline'; looks live in app.css and are switched with classes).
 */

export type Child = Node | string | null | undefined | false;

type Handlers = { [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };

export interface Props {
  /** Attributes; `true` sets an empty attribute, `false`/undefined leaves it out. */
  readonly [attribute: string]: string | number | boolean | undefined | Handlers;
  readonly on?: Handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'on' || value === undefined || value === false || typeof value === 'object') continue;
    if (name === 'style') throw new Error('inline styles are not allowed by the CSP; use a class');
    element.setAttribute(name, value === true ? '' : String(value));
  }
  const handlers = props.on ?? {};
  for (const [event, handler] of Object.entries(handlers)) element.addEventListener(event, handler as EventListener);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's text (a no-op when it is unchanged, to spare layout and screen readers). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

let nextId = 0;
/** A document-unique id for aria-describedby and label links. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
