import { useEffect, useState } from 'preact/hooks';
import { createApiClient } from './api/api-client.js';
import type { Me } from './api/api-types.js';
import { forgetKey, storedKey, storeKey } from './api/key-store.js';
import { ExplainView } from './explain/explain-view.js';
import { HistoryView } from './history/history-view.js';
import { PersonView } from './person/person-view.js';
import { PrivacyView } from './privacy/privacy-view.js';
import { ReviewQueue } from './reviews/review-queue.js';
import { href, type Route, useRoute } from './router.js';
import { type Session, SessionContext, sessionFor } from './session.js';
import { KeyEntry } from './views/key-entry.js';
import { SearchView } from './views/search-view.js';

/**
 * The console: a key first (checked with GET /v1/me), then the views its scopes allow. A view a
 * key cannot use is not in the navigation; a control it cannot use is not drawn.
 */
export function App() {
  // undefined while a key saved earlier in this tab is being checked.
  const [session, setSession] = useState<Session | null | undefined>(() =>
    storedKey() ? undefined : null,
  );
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    const api = createApiClient(key);
    api.get<Me>('/v1/me').then(
      (me) => setSession(sessionFor(api, me)),
      () => {
        forgetKey();
        setMessage('The saved key was refused; enter a key.');
        setSession(null);
      },
    );
  }, []);

  if (session === undefined) return <p aria-busy="true">Checking the key…</p>;
  if (session === null)
    return (
      <KeyEntry
        message={message}
        onKey={(key, me) => {
          storeKey(key);
          setSession(sessionFor(createApiClient(key), me));
        }}
      />
    );
  return (
    <SessionContext.Provider value={session}>
      <Shell
        session={session}
        onSignOut={() => {
          forgetKey();
          setMessage(undefined);
          setSession(null);
        }}
      />
    </SessionContext.Provider>
  );
}

function Shell(props: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const { me, can } = props.session;
  const nav: { route: Route; label: string; show: boolean }[] = [
    { route: { view: 'search' }, label: 'Search', show: can('persons:read') },
    { route: { view: 'explain' }, label: 'Why / why not', show: can('audit:read') },
    { route: { view: 'reviews' }, label: 'Review queue', show: can('audit:read') },
    { route: { view: 'privacy' }, label: 'Privacy requests', show: can('audit:read') },
  ];
  return (
    <div class="shell">
      <header class="top">
        <h1>idgraph</h1>
        <nav aria-label="Views">
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <a
                key={n.label}
                href={href(n.route)}
                aria-current={route.view === n.route.view ? 'page' : undefined}
              >
                {n.label}
              </a>
            ))}
        </nav>
        <span class="who">
          key <strong data-testid="key-name">{me.name}</strong> ({me.scopes.join(', ')}){' '}
          <button onClick={props.onSignOut}>Sign out</button>
        </span>
      </header>
      <main>
        <RouteView route={route} />
      </main>
    </div>
  );
}

function RouteView(props: { route: Route }) {
  const { route } = props;
  switch (route.view) {
    case 'person':
      return <PersonView key={route.personId} personId={route.personId} />;
    case 'history':
      return <HistoryView key={route.personId} personId={route.personId} />;
    case 'explain':
      return <ExplainView />;
    case 'reviews':
      return <ReviewQueue />;
    case 'privacy':
      return <PrivacyView requestId={route.requestId} />;
    default:
      return <SearchView />;
  }
}
