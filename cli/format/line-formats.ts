// The command's csv and zeek rows as line formats (sdk/lines/line-formats.ts), so that scan
// workers write them; imported by the command and by its worker script (cli/scan-worker.ts).
// The command writes these formats (and ndjson) only through lineWriter, whether a scan or a
// reduce task (--from-partitions) produced the records, with what comes before and after here.

import { registerLineFormat } from "../../sdk/lines/line-formats.js";
import { csvHeader, csvRow, csvValuesRow } from "./connection-csv.js";
import { zeekFooter, zeekHeader, zeekRowFor, zeekValuesRowFor } from "./zeek-log.js";

// A scan's rows from the record values (no record object); a reduce task's from its records; at
// one thread, the tracker's WebAssembly writers of the same name (assembly/lines/csv.ts, zeek.ts)
// write the same bytes from the records' bytes.
registerLineFormat("csv", () => csvRow, () => csvValuesRow, "csv");
registerLineFormat("zeek", zeekRowFor, zeekValuesRowFor, "zeek");

export { isLineFormat, type LineFormat } from "./line-format-names.js";

/** What the output starts with ("" for none). */
export function lineHeader(format: string): string {
  return format === "csv" ? csvHeader() : format === "zeek" ? zeekHeader() : "";
}

/** What the output ends with ("" for none). */
export function lineFooter(format: string): string {
  return format === "zeek" ? zeekFooter() : "";
}
