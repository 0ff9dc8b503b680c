import type { ZodError } from 'zod';
import { DomainError } from './errors.js';

/**
 * Throws DomainError('invalid', "<path>: <message>", { path }): how every body parser of the
 * core names the field it refuses (the HTTP edge answers 400 with it).
 */
export function invalidField(path: string, message: string): never {
  throw new DomainError('invalid', `${path}: ${message}`, { path });
}

/**
 * Throws invalidField for the first issue of a failed zod parse, `path` dotted like zod's
 * (`2.annotations.summary`). An unknown key is reported by zod at its parent; it is named itself.
 * `what` is the message when zod gave no issue.
 */
export function invalidBody(error: ZodError, what: string): never {
  const issue = error.issues[0];
  const at = issue ? [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])] : [];
  return invalidField(at.map(String).join('.') || 'body', issue ? issue.message : what);
}
