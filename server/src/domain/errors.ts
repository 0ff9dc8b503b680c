/** Codes a transport maps to its own status (HTTP in http/error-middleware.ts). */
export type DomainErrorCode =
  | 'invalid'
  | 'not_found'
  /** Known, but no longer here (e.g. a GPU swapped out of its slot). */
  | 'gone'
  | 'conflict'
  /** Well-formed but refused for what it means (e.g. an Idempotency-Key reused with another body). */
  | 'unprocessable'
  | 'too_large'
  | 'unavailable';

/** An expected failure of a domain rule, named by a code the edges map to a status. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
