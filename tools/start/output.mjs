// Console output of `npm start`: prefixed child lines and the summary table.
import { createInterface } from 'node:readline';

/** Width of the name column, so prefixed lines line up. */
export const NAME_WIDTH = 13;

/** `log('x')` prints `start         | x`. */
export function prefixedLogger(name) {
  const prefix = `${name.padEnd(NAME_WIDTH)} | `;
  return (text) => {
    for (const line of String(text).split('\n')) process.stdout.write(`${prefix}${line}\n`);
  };
}

/** Calls `onLine` for every line of `stream` (and the unterminated tail at its end). */
export function forEachLine(stream, onLine) {
  if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

/** A plain text table: the first row is the header. */
export function formatTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0]),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}
