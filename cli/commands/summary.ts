// The text summary (the command's default format): every connection is read from the columns of
// the group it ended in (sdk/report/connection-facts.ts), with no record object; a record is
// built only for a connection that one of the summary's bounded lists keeps (at most --top
// each). The same text as feeding each connection's record to the report and the lists.

import type { CaptureInput, CaptureSummary, CompiledFilter, ScanOptions } from "../../sdk/index.js";
import { CaptureReportBuilder } from "../../sdk/report/capture-report.js";
import { ConnectionFacts } from "../../sdk/report/connection-facts.js";
import { readRecordValues, RecordValues } from "../../sdk/connections/record-values.js";
import { createGroupScanner } from "../../sdk/group-scanner.js";
import { InterestingConnections } from "../format/interesting.js";
import { renderSummary } from "../format/summary-text.js";
import type { Output } from "../output.js";

/** Scans and writes the summary; returns the captures read (for their exit code and messages). */
export async function writeSummary(
  inputs: CaptureInput[], options: ScanOptions, filter: CompiledFilter | null, top: number, output: Output, filterText?: string,
): Promise<CaptureSummary[]> {
  const scanner = createGroupScanner(inputs, options);
  const report = new CaptureReportBuilder({ top });
  const interesting = new InterestingConnections(top);
  const facts = new ConnectionFacts();
  const values = new RecordValues(); // for --filter, which reads the record's values
  let total = 0; // connections before the filter, for the summary's "N of M"
  // Leaving this loop by an exception (the output failed) stops the scan and its workers.
  for await (const group of scanner.groups()) {
    total += group.count;
    if (group.inStore) {
      const s = group.store();
      for (let k = 0; k < group.count; k++) {
        facts.ofStore(s, k);
        if (filter) {
          readRecordValues(s, k, values);
          // Left out of the summary, but part of the capture its quality judges.
          if (!filter.matchesValues(values)) { report.addUnselectedFacts(facts); continue; }
        }
        report.addFacts(facts);
        interesting.addFacts(facts);
      }
    } else {
      for (const c of group.records) {
        facts.ofRecord(c);
        if (filter && !filter.matches(c)) { report.addUnselectedFacts(facts); continue; }
        report.addFacts(facts);
        interesting.addFacts(facts);
      }
    }
  }
  const captures = scanner.captures();
  const summary = report.finish(captures, scanner.timeline());
  await output.write(renderSummary(captures, summary, interesting, filter ? { filter: { expression: String(filterText), total } } : {}));
  return captures;
}
