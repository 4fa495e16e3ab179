import { z } from 'zod';

/**
 * RFC 9457 problem details: the one error shape of the API. `code` is a stable UPPER_SNAKE string
 * clients may switch on; `errors` lists each invalid field by JSON path. No problem ever repeats an
 * identifier value: they are personal data.
 */
export const problemSchema = z
  .object({
    type: z.string().describe('URI naming the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    reason: z
      .string()
      .optional()
      .describe(
        'IDENTIFIER_NOT_FOUND: why, as POST /v1/resolve says it (not_found, unknown_type, blocked, invalid_email, ...)',
      ),
  })
  .describe('RFC 9457 problem details (application/problem+json)');

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:idgraph:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Standard error responses a route declares in OpenAPI, next to its own success schema. */
export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  413: problemSchema,
  429: problemSchema,
  500: problemSchema,
  503: problemSchema,
} as const;
