import { Router } from 'express';

/**
 * Paths are matched in one case, exactly as the OpenAPI document spells them: express's
 * default folds case, so `/API/v1/ingest/json` reached the ingest handler while the rate
 * limits, which compare strings, saw a path they did not budget (issue 16). Refusing other
 * spellings (404) was chosen over lower-casing the URL, because path parameters (GPU UUIDs,
 * host names, token and webhook ids) are case-sensitive and must reach handlers unchanged.
 * The app sets `case sensitive routing`; every router is made here with the same option.
 */
export const newRouter = (): Router => Router({ caseSensitive: true });

/**
 * A path as the rate limits and the default-deny rule compare it: lower case, runs of slashes
 * as one. Wider than routing on purpose, so a spelling that reaches no handler (a 404) still
 * counts against the budget it resembles rather than slipping past every limit.
 */
export const foldedPath = (path: string): string => path.toLowerCase().replace(/\/{2,}/g, '/');
