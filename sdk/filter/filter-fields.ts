// The fields a filter reads, named as in a record's values (record-values.ts): a scan's line
// writers test the values they write from, read once, with no record object; a record built
// already (the reference tracker's, a reduce task's, an SDK user's) is read through
// RecordFields, which names the same fields of it. One set of predicates serves both.

import type { ConnectionRecord } from "../connections/connection-record.js";
import type { SideAnalysis } from "../connections/analysis/analysis-result.js";

export interface EndpointFields { addr: string; port: number; pkts: number; bytes: number }

export interface FilterFields {
  readonly id: number;
  readonly orig: EndpointFields;
  readonly resp: EndpointFields;
  readonly duration: number;
  readonly connState: string;
  readonly outcome: string;
  readonly teardown: string;
  readonly rttSynToSynAckUs: number | null;
  readonly rttSynAckToAckUs: number | null;
  readonly origAnalysis: SideAnalysis;
  readonly respAnalysis: SideAnalysis;
  readonly maxGapUs: number | null;
}

/** A record's fields under the values' names; each read when a predicate asks for it. */
export class RecordFields implements FilterFields {
  constructor(private readonly c: ConnectionRecord) {}
  get id() { return this.c.id; }
  get orig() { return this.c.orig; }
  get resp() { return this.c.resp; }
  get duration() { return this.c.duration; }
  get connState() { return this.c.connState; }
  get outcome() { return this.c.handshake.outcome; }
  get teardown() { return this.c.teardown.kind; }
  get rttSynToSynAckUs() { return this.c.handshake.rttSynToSynAckUs; }
  get rttSynAckToAckUs() { return this.c.handshake.rttSynAckToAckUs; }
  get origAnalysis() { return this.c.analysis.orig; }
  get respAnalysis() { return this.c.analysis.resp; }
  get maxGapUs() { return this.c.analysis.maxGapUs; }
}
