/**
 * Rows per multi-row INSERT. With up to 13 parameters a row (jobs), 500 rows stay far below
 * SQLite's (32,766) and Postgres's (65,535) bound-parameter limits.
 */
export const MAX_ROWS_PER_INSERT = 500;

/**
 * Inserts `rows` in chunks of one multi-row statement each. `insert` runs the statement and returns
 * the ids it inserted (INSERT … ON CONFLICT DO NOTHING RETURNING id); `collect` then sees the chunk,
 * the offset of its first row in `rows` and which of its rows are new, to build the results.
 */
export async function insertInChunks<Row extends { id: string }>(
  rows: readonly Row[],
  insert: (chunk: Row[]) => Promise<readonly { id: string }[]>,
  collect: (chunk: Row[], start: number, newIds: ReadonlySet<string>) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + MAX_ROWS_PER_INSERT);
    const inserted = await insert(chunk);
    await collect(chunk, start, new Set(inserted.map((row) => row.id)));
  }
}
