/** What every screen gets from the app, and what it gives back. */
import type { Session } from '../core/session';
import type { Announcer } from './announcer';
import { h, type Child } from './dom';
import type { NavState, Route } from './router';

export interface ScreenContext {
  readonly session: Session;
  readonly state: NavState;
  readonly announcer: Announcer;
  /** Aborted when the screen goes away: every request a screen makes takes it. */
  readonly signal: AbortSignal;
  navigate(route: Route, state?: NavState): void;
}

export interface Screen {
  /** For the document title and the heading. */
  readonly title: string;
  readonly element: HTMLElement;
  /** Whether leaving now would lose work (uploads in flight). */
  busy?(): boolean;
  dispose?(): void;
}

/** An in-app link: a real `<a href>` (open in a new tab works), handled by the router on a plain click. */
export function routeLink(context: ScreenContext, route: Route, text: string, state: NavState = {}): HTMLAnchorElement {
  return h(
    'a',
    {
      href: route,
      on: {
        click: (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          context.navigate(route, state);
        },
      },
    },
    text,
  );
}

/** The heading every screen starts with; focused after a navigation so screen readers hear where they are. */
export function screenHeading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1, class: 'screen-title' }, text);
}

/** The card that holds an account form. */
export function authCard(...children: Child[]): HTMLElement {
  return h('section', { class: 'card card-narrow' }, ...children);
}

/** A notice handed over by the previous screen; main.ts has the live region say it (a region born with its text is silent). Removed once the person acts. */
export function noticeFor(state: NavState): HTMLElement | undefined {
  return state.notice === undefined ? undefined : h('p', { class: 'notice' }, state.notice);
}
