// Reads the Zeek conn.log baselines of ../shared/corpus/zeek in their three formats: full TSV
// with a #fields line, a zeek-cut subset with a plain header line, and values derived from
// printed output (a header line and one row).

import { readFileSync } from "node:fs";

export interface ZeekRow {
  uid?: string;
  origH?: string;
  origP?: number;
  respH?: string;
  respP?: number;
  proto?: string;
  connState?: string;
  history?: string;
  origPkts?: number;
  respPkts?: number;
  /** local_orig and local_resp ("T" or "F"), when the baseline has them. */
  localOrig?: string;
  localResp?: string;
  /** How many uids tunnel_parents lists (0 for "-"), when the baseline has the column. */
  tunnelParents?: number;
  /** The uids tunnel_parents lists (empty for "-"), when the baseline has the column. */
  tunnelParentUids?: string[];
  /**
   * The numeric columns as Zeek wrote them (a full TSV baseline has them): "-" is unset
   * (duration and sizes when the duration is 0).
   */
  numbers?: Record<ZeekNumberColumn, string>;
}

export const ZEEK_NUMBER_COLUMNS = [
  "duration", "orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
] as const;
export type ZeekNumberColumn = (typeof ZEEK_NUMBER_COLUMNS)[number];

export function readZeekBaseline(path: string): ZeekRow[] {
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0);
  let fields: string[] | null = null;
  const rows: ZeekRow[] = [];
  for (const line of lines) {
    if (line.startsWith("#fields")) { fields = line.split("\t").slice(1); continue; }
    if (line.startsWith("#")) continue;
    if (!fields) { fields = line.split("\t"); continue; }
    const values = line.split("\t");
    const get = (name: string) => {
      const k = fields!.indexOf(name);
      return k < 0 || values[k] === "-" && name !== "history" ? undefined : values[k];
    };
    const num = (name: string) => (get(name) === undefined ? undefined : Number(get(name)));
    const history = get("history");
    const hasNumbers = ZEEK_NUMBER_COLUMNS.every((name) => fields!.includes(name));
    rows.push({
      uid: get("uid"), origH: get("id.orig_h"), origP: num("id.orig_p"), respH: get("id.resp_h"), respP: num("id.resp_p"),
      proto: get("proto"), connState: get("conn_state"),
      history: history === undefined ? undefined : history === "-" ? "" : history,
      origPkts: num("orig_pkts"), respPkts: num("resp_pkts"),
      localOrig: get("local_orig"), localResp: get("local_resp"),
      tunnelParents: !fields.includes("tunnel_parents") ? undefined : get("tunnel_parents")?.split(",").length ?? 0,
      tunnelParentUids: !fields.includes("tunnel_parents") ? undefined : get("tunnel_parents")?.split(",") ?? [],
      numbers: hasNumbers
        ? Object.fromEntries(ZEEK_NUMBER_COLUMNS.map((name) => [name, values[fields!.indexOf(name)]!])) as Record<ZeekNumberColumn, string>
        : undefined,
    });
  }
  return rows;
}
