import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (#/persons/per_…): the server serves one page, and nothing in a route is personal
 * data — person, review and request ids only. Identifier values never go into the URL; a search
 * posts them and navigates to the person id it got back.
 */
export type Route =
  | { view: 'search' }
  | { view: 'person'; personId: string }
  | { view: 'history'; personId: string }
  | { view: 'explain' }
  | { view: 'reviews' }
  | { view: 'privacy'; requestId?: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => decodeURIComponent(p));
  const [head, id] = parts;
  if (head === 'persons' && id) return { view: 'person', personId: id };
  if (head === 'history' && id) return { view: 'history', personId: id };
  if (head === 'explain') return { view: 'explain' };
  if (head === 'reviews') return { view: 'reviews' };
  if (head === 'privacy') return id ? { view: 'privacy', requestId: id } : { view: 'privacy' };
  return { view: 'search' };
}

export function href(route: Route): string {
  switch (route.view) {
    case 'person':
      return `#/persons/${encodeURIComponent(route.personId)}`;
    case 'history':
      return `#/history/${encodeURIComponent(route.personId)}`;
    case 'privacy':
      return route.requestId ? `#/privacy/${encodeURIComponent(route.requestId)}` : '#/privacy';
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
