// Run by test/deno/deno.test.ts as `deno run --allow-read test/deno/scan-sample.ts FILE`:
// the SDK must import and work in Deno 2 as it does in Node.
import { scan, createLineScanner } from "../../dist/sdk/index.js";

declare const Deno: { args: string[] };

const file = Deno.args[0]!;
const { connections, report } = await scan(file);
// Worker threads too: the decoder's shared memory and the ring go to Deno's workers alike.
const threaded = await scan(file, { threads: 2 });
// The line scanner writes ndjson as bytes (sdk/lines/byte-sink.ts): the same text as the records.
let ndjson = "";
const decoder = new TextDecoder();
for await (const chunk of createLineScanner(file, {}, { format: "ndjson" }).chunks()) ndjson += decoder.decode(chunk);
// From three threads the workers build and write the lines themselves (sdk/parallel/lines-worker.ts).
let workerLines = "";
for await (const chunk of createLineScanner(file, { threads: 3 }, { format: "ndjson" }).chunks()) workerLines += decoder.decode(chunk);
console.log(JSON.stringify({
  linesAgree: ndjson === connections.map((c) => JSON.stringify(c) + "\n").join(""),
  threadsAgree: JSON.stringify(threaded.connections) === JSON.stringify(connections),
  workerLinesAgree: workerLines === ndjson,
  connections: connections.length,
  states: report.byConnState,
  first: { history: connections[0]?.history, outcome: connections[0]?.handshake.outcome },
}));
