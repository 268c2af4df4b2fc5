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

type Digest = (algorithm: string, data: string | Uint8Array, encoding: "base64" | "hex" | "buffer") => string | Buffer;
let oneShot: Digest | undefined;

/**
 * The `algorithm` digest of `data` in `encoding`: node:crypto's one-shot hash (Node 20.12+: no
 * Hash object per call), createHash where it is missing; the choice made at the first call.
 */
export function digest(algorithm: string, data: string | Uint8Array, encoding: "base64" | "hex"): string;
export function digest(algorithm: string, data: string | Uint8Array, encoding: "buffer"): Buffer;
export function digest(algorithm: string, data: string | Uint8Array, encoding: "base64" | "hex" | "buffer"): string | Buffer {
  if (!oneShot) {
    const c = nodeCrypto();
    oneShot = typeof c.hash === "function"
      ? (a, d, e) => (e === "buffer" ? c.hash(a, d, "buffer") : c.hash(a, d, e))
      : (a, d, e) => (e === "buffer" ? c.createHash(a).update(d).digest() : c.createHash(a).update(d).digest(e));
  }
  return oneShot(algorithm, data, encoding);
}

/** node:tty. */
export function nodeTty(): typeof import("node:tty") {
  return tty ??= requireBuiltin("node:tty") as typeof import("node:tty");
}
