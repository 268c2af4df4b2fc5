// Imported first by the SDK's entry: on a Node older than the package's engines, importing the
// SDK throws one plain error rather than failing later where a missing API is first called.

import { unsupportedRuntime } from "./runtime-version.js";

const why = unsupportedRuntime();
if (why !== null) throw new Error(`tcp-handshake-scan ${why}`);
