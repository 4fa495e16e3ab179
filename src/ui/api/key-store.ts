/**
 * The API key the user typed in: kept in sessionStorage (gone when the tab closes), sent only as the
 * bearer header, never put in a URL or a log.
 */
const STORAGE_KEY = 'idgraph.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
