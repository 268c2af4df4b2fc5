// Injected into the command's bundles, which esbuild writes as CommonJS (dist/cli/bin.cjs, main.cjs
// and scan-worker.cjs: package.json's build:cli), so that the entry loads the main one with require(), at once:
// an import() of it took ~5 ms more (the ESM loader's asynchronous read and link). The bundle's
// import.meta.url (where the .wasm files and the worker script are found) is its own file's URL.
export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;
