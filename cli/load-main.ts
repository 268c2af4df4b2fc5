// Loads the command's main bundle (dist/cli/main.cjs, CommonJS: see bin.ts) with V8's code cache
// for it (main.cjs.cache, written at build time by scripts/code-cache.mjs after sample scans), so
// that its functions are not parsed and compiled again on every run: a scan of a small capture
// spends most of its ~100 ms starting up. V8 checks a cache against its own version and flags and
// the source's length only, so the cache starts with the CRC-32 of the bundle it was made from
// and is used only for that very bundle; otherwise the bundle is compiled as without it. Nor does
// a release build of V8 check the cache's own bytes (a damaged one stopped the process with a
// fatal error in its deserializer), so the CRC-32 of the V8 data follows, checked too. With
// source maps enabled (NODE_OPTIONS=--enable-source-maps, for internal errors' positions) the
// bundle is required as usual, where Node reads its map.

import { readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { crc32 } from "node:zlib";

/** Set to a path, the command writes the code cache of its main bundle there when it ends (the build's step). */
export const CODE_CACHE_ENV = "TCP_HANDSHAKE_SCAN_WRITE_CODE_CACHE";

/** The CRC-32 of the bundle, then that of the V8 data after them. */
const HEADER_BYTES = 8;

/**
 * The bundle's exports, whether V8 took the code cache beside it (false without one, or when V8
 * rejected it: made under other flags, say), and the code cache of what has been compiled of it
 * so far (null: none kept).
 */
export function loadMain<T>(url: URL): { exports: T; cacheAccepted: boolean; codeCache: () => Uint8Array | null } {
  const file = fileURLToPath(url);
  const require = createRequire(file);
  if (process.sourceMapsEnabled) return { exports: require(file) as T, cacheAccepted: false, codeCache: () => null };
  const source = readFileSync(file);
  const crc = crc32(source);
  const cachedData = cacheFor(file + ".cache", crc);
  const script = new Script(Module.wrap(source.toString("utf8")), { filename: file, cachedData });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, dirname(file));
  const cacheAccepted = cachedData !== undefined && script.cachedDataRejected === false;
  return { exports: module.exports, cacheAccepted, codeCache: () => withCrc(crc, script.createCachedData()) };
}

// The V8 data of a cache made from the bundle whose CRC-32 is `crc`; none for another or none at all.
function cacheFor(path: string, crc: number): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = readFileSync(path);
  } catch {
    return undefined; // not built (or removed): compiled as usual
  }
  if (cache.length <= HEADER_BYTES || cache.readUInt32LE(0) !== crc) return undefined;
  const data = cache.subarray(HEADER_BYTES);
  return crc32(data) === cache.readUInt32LE(4) ? data : undefined; // damaged: compiled as usual
}

function withCrc(crc: number, data: Buffer): Uint8Array {
  const out = Buffer.alloc(HEADER_BYTES + data.length);
  out.writeUInt32LE(crc, 0);
  out.writeUInt32LE(crc32(data), 4);
  data.copy(out, HEADER_BYTES);
  return out;
}
