/**
 * Typed application errors. Services throw these; `api/error-handler.ts` is the one place that
 * maps them to RFC 9457 problem+json. Messages never carry identifier values: they are personal data.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    /** Stable, documented UPPER_SNAKE code that clients may switch on. */
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, code = 'NOT_FOUND') {
    super(`${what} not found`, 404, code);
  }
}

export class PersonNotFoundError extends NotFoundError {
  constructor() {
    super('person', 'PERSON_NOT_FOUND');
  }
}

export class JobNotFoundError extends NotFoundError {
  constructor() {
    super('job', 'JOB_NOT_FOUND');
  }
}

export class DeadLetterNotFoundError extends NotFoundError {
  constructor() {
    super('dead letter', 'DEAD_LETTER_NOT_FOUND');
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly errors: readonly { path: string; message: string }[] = [],
    code = 'VALIDATION_FAILED',
  ) {
    super(message, 400, code);
  }
}

/**
 * Neo4j or Redis cannot be reached: the request fails fast with 503 instead of hanging, and
 * `Retry-After` says when to try again (about when the service next checks the dependency).
 */
export class ServiceUnavailableError extends AppError {
  constructor(
    readonly dependency: 'neo4j' | 'redis',
    cause?: unknown,
    readonly retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS,
  ) {
    super(`${dependency} is unavailable`, 503, 'DEPENDENCY_UNAVAILABLE', { dependency });
    if (cause !== undefined) this.cause = cause;
  }
}

/** `Retry-After` of a 503 when nothing better is known. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export class UnauthorizedError extends AppError {
  constructor() {
    super('a valid API key is required (Authorization: Bearer <key>)', 401, 'UNAUTHORIZED');
  }
}

export class ForbiddenError extends AppError {
  constructor(scope: string) {
    super(`this API key lacks the scope ${scope}`, 403, 'INSUFFICIENT_SCOPE', { scope });
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limit exceeded for this API key', 429, 'RATE_LIMITED');
  }
}

/**
 * No person for the identifier. `reason` is the one `POST /v1/resolve` gives for the same input
 * (`not_found`, `unknown_type`, `blocked`, `invalid_email`, ...), so single and batch lookups
 * answer alike; it describes the input, never repeats it.
 */
export class IdentifierNotFoundError extends NotFoundError {
  constructor(readonly reason = 'not_found') {
    super('identifier', 'IDENTIFIER_NOT_FOUND');
  }
}

/** A join that an identifier's denied identity_linking consent forbids (a review's `match`). */
export class ConsentDeniedError extends AppError {
  constructor() {
    super("an identifier's identity_linking consent is denied", 409, 'CONSENT_DENIED');
  }
}

export class PrivacyRequestNotFoundError extends NotFoundError {
  constructor() {
    super('privacy request', 'PRIVACY_REQUEST_NOT_FOUND');
  }
}

/** An access request's export that expired (PRIVACY_EXPORT_TTL_HOURS) or was never kept. */
export class PrivacyExportNotFoundError extends NotFoundError {
  constructor() {
    super('privacy export', 'EXPORT_NOT_FOUND');
  }
}

/**
 * The export of a request that is not an access request: the request exists, but its type has no
 * export (a 404 would tell a client that the request it just created is gone).
 */
export class NotAnAccessRequestError extends AppError {
  constructor(type: string) {
    super(`a ${type} request has no export`, 409, 'NOT_AN_ACCESS_REQUEST', { type });
  }
}

/** An access request whose export is asked for before it completed (or after it failed). */
export class RequestNotCompletedError extends AppError {
  constructor(status: string) {
    super(`the privacy request is ${status}, not completed`, 409, 'REQUEST_NOT_COMPLETED', {
      status,
    });
  }
}

/** A request type this deployment has no steps for yet: refused before anything is stored. */
export class RequestTypeNotSupportedError extends AppError {
  constructor(type: string) {
    super(`privacy requests of type ${type} are not supported yet`, 400, 'NOT_SUPPORTED', {
      type,
    });
  }
}

/** A `requestId` used before for a different request (type, subject or purposes). */
export class RequestIdConflictError extends AppError {
  constructor() {
    super('this requestId was used for a different privacy request', 409, 'REQUEST_ID_CONFLICT');
  }
}

/**
 * A manual operation (src/manual/) the graph's rules refuse: a merge limit or a constraint, two ids
 * that are one person, a merge already reverted. Nothing was changed. `code` says which; the
 * message names the limit or constraint by type, never a value.
 */
export class ManualOperationRefusedError extends AppError {
  constructor(message: string, code: string, details?: Record<string, unknown>) {
    super(message, 409, code, details);
  }
}

/**
 * A manual operation that cannot apply to what it names: an identifier that is not the person's,
 * a split that would leave the person empty, a revert of an audit record that is not a merge.
 */
export class ManualOperationInvalidError extends AppError {
  constructor(message: string, code: string) {
    super(message, 422, code);
  }
}

export class AuditRecordNotFoundError extends NotFoundError {
  constructor() {
    super('audit record', 'AUDIT_RECORD_NOT_FOUND');
  }
}

export class ConstraintNotFoundError extends NotFoundError {
  constructor() {
    super('constraint', 'CONSTRAINT_NOT_FOUND');
  }
}

/** A person asked for as it was at a time before it was created (GET /v1/persons/{id}/history?at=). */
export class PersonNotYetCreatedError extends AppError {
  constructor() {
    super('the person did not exist yet at that time', 404, 'PERSON_NOT_YET_CREATED');
  }
}

/**
 * An identifier in a request body whose value does not normalise (POST /v1/explain): 400 with the
 * JSON path of the field and the reason code (`invalid_email`, `unknown_type`, ...), never the value.
 */
export class InvalidIdentifierError extends AppError {
  readonly errors: readonly { path: string; message: string }[];
  constructor(field: string, reason: string) {
    super(`the identifier ${field} is not valid: ${reason}`, 400, 'INVALID_IDENTIFIER', {
      field,
      reason,
    });
    this.errors = [{ path: `$.body.${field}.value`, message: reason }];
  }
}

/**
 * A request whose text is not Unicode: a body that is not UTF-8, a string with an unpaired
 * surrogate, a URL whose percent-escapes are not UTF-8. Refused whole (nothing is queued or
 * stored): such a value cannot be stored as sent. `errors` names each place, never its content.
 */
export class MalformedTextError extends ValidationError {
  constructor(message: string, errors: readonly { path: string; message: string }[]) {
    super(message, errors, 'INVALID_UNICODE');
  }
}

/** A request body in a media type other than JSON (or JSON in a charset other than UTF-8). */
export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super('send the body as application/json (UTF-8)', 415, 'UNSUPPORTED_MEDIA_TYPE');
  }
}
