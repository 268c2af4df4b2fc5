// The command's csv and zeek rows as line formats (sdk/lines/line-formats.ts), so that scan
// workers write them; imported by the command and by its worker script (cli/scan-worker.ts).

import { registerLineFormat } from "../../sdk/lines/line-formats.js";
import { csvRow } from "./connection-csv.js";
import { zeekRow } from "./zeek-log.js";

registerLineFormat("csv", () => csvRow);
registerLineFormat("zeek", () => zeekRow);
