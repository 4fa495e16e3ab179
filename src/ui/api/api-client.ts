/**
 * The console's only way to the service: the public REST API, same origin, with the key as the
 * bearer header. Errors come back as RFC 9457 problems; ApiError keeps their code and detail (which
 * never repeat an identifier value) for the view to show.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(
    path: string,
    body: unknown,
    query?: Record<string, string | number | boolean | undefined>,
  ): Promise<T>;
}

function withQuery(path: string, query?: Record<string, string | number | boolean | undefined>) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function createApiClient(key: string, base = ''): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const problem = (parsed ?? {}) as { code?: string; detail?: string; title?: string };
      throw new ApiError(
        response.status,
        problem.code ?? `HTTP_${response.status}`,
        problem.detail ?? problem.title ?? `HTTP ${response.status}`,
      );
    }
    return parsed as T;
  }
  return {
    get: (path, query) => call('GET', withQuery(path, query)),
    post: (path, body, query) => call('POST', withQuery(path, query), body),
  };
}

/** A short, value-free message for an error of any kind. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
