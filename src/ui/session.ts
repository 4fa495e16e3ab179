import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/api-client.js';
import type { Me } from './api/api-types.js';

/** The signed-in key: a client that sends it, and its name and scopes from GET /v1/me. */
export interface Session {
  api: ApiClient;
  me: Me;
  can: (scope: string) => boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function sessionFor(api: ApiClient, me: Me): Session {
  return { api, me, can: (scope) => me.scopes.includes(scope) };
}
