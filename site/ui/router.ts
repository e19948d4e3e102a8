/**
 * Paths, not hashes: the site-router CloudFront Function answers every
 * extension-less path with index.html, so /login, /upload… can be reloaded
 * and bookmarked. What a screen hands the next one (the email just typed, a
 * notice) travels in history.state, never in the URL.
 */

export const ROUTES = ['/login', '/register', '/confirm', '/forgot', '/reset', '/upload'] as const;
export type Route = (typeof ROUTES)[number];

export interface NavState {
  /** The email the previous screen used, to fill in the next form. */
  readonly email?: string;
  /** One sentence for the top of the next screen ("Email confirmed. Log in to continue."). */
  readonly notice?: string;
  /** Where to go after logging in. */
  readonly next?: Route;
}

export function isRoute(path: string): path is Route {
  return (ROUTES as readonly string[]).includes(path);
}

export function readNavState(value: unknown): NavState {
  if (typeof value !== 'object' || value === null) return {};
  const { email, notice, next } = value as Record<string, unknown>;
  return {
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof notice === 'string' ? { notice } : {}),
    ...(typeof next === 'string' && isRoute(next) ? { next } : {}),
  };
}

export class Router {
  private listener: ((path: string, state: NavState) => void) | undefined;

  constructor() {
    window.addEventListener('popstate', (event) => this.listener?.(location.pathname, readNavState(event.state)));
  }

  onNavigate(listener: (path: string, state: NavState) => void): void {
    this.listener = listener;
  }

  get state(): NavState {
    return readNavState(history.state);
  }

  navigate(route: Route, state: NavState = {}, options: { replace?: boolean } = {}): void {
    if (options.replace) history.replaceState(state, '', route);
    else history.pushState(state, '', route);
    this.listener?.(route, state);
  }
}
