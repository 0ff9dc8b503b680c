/** Parses a stored JSON body into its domain type, throwing when it does not fit. */
export type Parse<T> = (json: unknown) => T;

/** A row's JSON body through `parse`, or an error naming the table and row. */
export function parseStored<T>(table: string, key: string, body: string, parse: Parse<T>): T {
  try {
    return parse(JSON.parse(body));
  } catch (error) {
    throw new Error(`${table} row ${key}: stored body does not parse: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
