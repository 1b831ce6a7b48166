// Plain-text tables for the terminal: columns padded to their widest cell (in terminal cells, so
// emoji and wide characters align), two spaces apart, trailing blanks trimmed.

import { displayWidth, fit } from './text-width.js';

export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
}

export const COLUMN_GAP = '  ';

/** One row with every cell cut or padded to its column's width. */
export function layoutRow(cells: readonly string[], widths: readonly number[], columns: readonly TableColumn[]): string[] {
  return cells.map((cell, index) => fit(cell, widths[index] ?? 0, columns[index]?.align));
}

/** The table as lines: a header row, then one line per row; `indent` leads every line. */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(row[index] ?? ''))),
  );
  return [columns.map((column) => column.header), ...rows].map((row) =>
    `${indent}${layoutRow(row, widths, columns).join(COLUMN_GAP)}`.trimEnd(),
  );
}
