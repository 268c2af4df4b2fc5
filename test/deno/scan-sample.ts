// Run by test/deno/deno.test.ts as `deno run --allow-read test/deno/scan-sample.ts FILE`:
// the SDK must import and work in Deno 2 as it does in Node.
import { scan } from "../../dist/sdk/index.js";

declare const Deno: { args: string[] };

const file = Deno.args[0]!;
const { connections, report } = await scan(file);
// Worker threads too: the decoder's shared memory and the ring go to Deno's workers alike.
const threaded = await scan(file, { threads: 2 });
console.log(JSON.stringify({
  threadsAgree: JSON.stringify(threaded.connections) === JSON.stringify(connections),
  connections: connections.length,
  states: report.byConnState,
  first: { history: connections[0]?.history, outcome: connections[0]?.handshake.outcome },
}));
