// Run by test/deno/deno.test.ts as `deno run --allow-read [...] test/deno/draw-ladders.ts FILE`:
// draws every connection's ladder, more of them held back than memory keeps (they wait in a
// temporary file), and prints how many were drawn, or the error's name and message.
import { drawLadders, compileFilter } from "../../dist/sdk/index.js";

declare const Deno: { args: string[] };

let handed = 0;
try {
  const { drawn } = await drawLadders(Deno.args[0]!, compileFilter("tcp"), {}, Infinity, () => { handed++; });
  console.log(JSON.stringify({ drawn, handed }));
} catch (error) {
  console.log(JSON.stringify({ name: (error as Error).name, message: (error as Error).message }));
}
