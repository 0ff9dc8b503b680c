import type { z } from 'zod';

/**
 * What the server may send for an answer schema: its input type, read-only all the way down.
 * Read-only because services hand out shared, read-only views (the cached capacity report, the
 * rules in force); a mutable value is still assignable, so routes write `body satisfies Sent<typeof x>`.
 * Answer schemas have no transforms or defaults, so input and output (what the client reads) agree.
 */
export type Sent<S extends z.ZodType> = DeepReadonly<z.input<S>>;

type DeepReadonly<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
