// The command's scan worker (bundled as dist/cli/scan-worker.cjs): the SDK's, with the
// command's line formats registered first, so that workers write csv and zeek rows too.

import "./format/line-formats.js";
import "../sdk/parallel/scan-worker.js";
