// Plain-text tables for the summary: each column as wide as its widest cell (header included),
// two spaces between columns, numbers right-aligned, trailing blanks trimmed. The first
// column's header is the table's title, flush left; the rows are indented under it.

export interface Column {
  header: string;
  align?: "left" | "right";
}

export function renderTable(columns: Column[], rows: string[][], indent = "  "): string[] {
  const lines = [columns.map((c) => c.header), ...rows.map((r) => columns.map((_, k) => (k === 0 ? indent : "") + (r[k] ?? "")))];
  const widths = columns.map((_, k) => Math.max(...lines.map((cells) => cells[k]!.length)));
  return lines.map((cells) =>
    cells.map((cell, k) => (columns[k]!.align === "right" ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!))).join("  ").trimEnd());
}
