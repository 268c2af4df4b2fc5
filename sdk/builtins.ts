// Node built-in modules that many runs never use, loaded on their first use. Required at
// start-up, node:crypto cost every run ~6 ms (it loads fifteen more internal modules), though a
// scan whose lines are written in WebAssembly never hashes in JavaScript; node:tty ~4 ms, needed
// only to ask whether an -o device is a terminal.

import { createRequire } from "node:module";

const requireBuiltin = createRequire(import.meta.url);

let crypto: typeof import("node:crypto") | undefined;
let tty: typeof import("node:tty") | undefined;

/** node:crypto. */
export function nodeCrypto(): typeof import("node:crypto") {
  return crypto ??= requireBuiltin("node:crypto") as typeof import("node:crypto");
}

/** node:tty. */
export function nodeTty(): typeof import("node:tty") {
  return tty ??= requireBuiltin("node:tty") as typeof import("node:tty");
}
