/**
 * The app: restores the session from the refresh cookie, routes between the
 * screens, and keeps the header's account area in step with the session.
 */
import { messageFor } from '../client/core/errors';
import { Session, type SessionState } from './core/session';
import * as auth from './net/auth-api';
import { Announcer } from './ui/announcer';
import { h } from './ui/dom';
import { isRoute, Router, type NavState, type Route } from './ui/router';
import type { Screen, ScreenContext } from './ui/screen';
import { confirmScreen } from './ui/screens/confirm';
import { forgotScreen } from './ui/screens/forgot';
import { loginScreen } from './ui/screens/login';
import { registerScreen } from './ui/screens/register';
import { resetScreen } from './ui/screens/reset';
import { uploadScreen } from './ui/screens/upload';

const APP_NAME = 'edge-upload';

const SCREENS: Readonly<Record<Route, (context: ScreenContext) => Screen>> = {
  '/login': loginScreen,
  '/register': registerScreen,
  '/confirm': confirmScreen,
  '/forgot': forgotScreen,
  '/reset': resetScreen,
  '/upload': uploadScreen,
};

/** Screens that need a session. */
const PROTECTED: ReadonlySet<Route> = new Set(['/upload']);

function required<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`index.html has no #${id}`);
  return element as T;
}

async function start(): Promise<void> {
  const main = required('main');
  const account = required('account');
  const announcer = new Announcer(required('announcer'));
  const session = new Session({ refresh: auth.refresh, logout: auth.logout });
  const router = new Router();
  let current: { route: Route; screen: Screen; controller: AbortController } | undefined;
  let moveFocus = false;

  /** Where a path may go now: unknown paths and `/` by session, a protected screen without one to log-in. */
  function resolve(path: string, state: NavState): { route: Route; state: NavState } {
    const signedIn = session.state.signedIn;
    if (!isRoute(path)) return { route: signedIn ? '/upload' : '/login', state };
    if (PROTECTED.has(path) && !signedIn) return { route: '/login', state: { ...state, next: path } };
    if (!PROTECTED.has(path) && signedIn) return { route: '/upload', state: {} };
    return { route: path, state };
  }

  function show(path: string, requested: NavState): void {
    const { route, state } = resolve(path, requested);
    if (route !== path) history.replaceState(state, '', route);
    if (current !== undefined) {
      current.controller.abort();
      current.screen.dispose?.();
    }
    const controller = new AbortController();
    const screen = SCREENS[route]({
      session,
      state,
      announcer,
      signal: controller.signal,
      navigate: (next, nextState) => router.navigate(next, nextState),
    });
    main.replaceChildren(screen.element);
    document.title = `${screen.title} · ${APP_NAME}`;
    // After the first screen, say where we are: focus the new heading (screen readers read it).
    if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
    moveFocus = true;
    // A notice handed over by the previous screen is new content in a new page: a role=status that
    // arrives with its text is not read, so the one live region, which was there all along, says it.
    if (state.notice !== undefined) announcer.say(state.notice);
    current = { route, screen, controller };
  }

  async function logOut(): Promise<void> {
    if (current?.screen.busy?.() && !window.confirm('Uploads in progress will be cancelled. Log out anyway?')) return;
    const loggingOut = session.logout();
    router.navigate('/login', { notice: 'You have logged out.' });
    try {
      await loggingOut;
    } catch (error) {
      router.navigate(
        '/login',
        { notice: `You are logged out on this page, but the server could not end the session (${messageFor(error)})` },
        { replace: true },
      );
    }
  }

  function renderAccount(state: SessionState): void {
    if (!state.signedIn) {
      account.replaceChildren();
      return;
    }
    const button = h('button', { type: 'button', class: 'button-quiet' }, 'Log out');
    button.addEventListener('click', () => void logOut());
    account.replaceChildren(
      h('span', { class: 'account-email' }, state.email === undefined ? 'Signed in' : `Signed in as ${state.email}`),
      button,
    );
  }

  session.onChange((state) => {
    renderAccount(state);
    if (!state.signedIn && state.ended === 'expired') {
      const next = current?.route;
      router.navigate('/login', {
        notice: 'Your session has ended. Log in again to continue.',
        ...(next !== undefined && PROTECTED.has(next) ? { next } : {}),
      });
    }
  });
  router.onNavigate(show);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void session.ensureFresh();
  });

  let bootNotice: string | undefined;
  try {
    await session.restore();
  } catch (error) {
    bootNotice = `Could not check for an existing session: ${messageFor(error)}`;
  }
  const initial = router.state;
  show(location.pathname, bootNotice === undefined ? initial : { ...initial, notice: bootNotice });
}

void start().catch((error: unknown) => {
  const main = document.getElementById('main');
  main?.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, messageFor(error)));
});
