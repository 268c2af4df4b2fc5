// The bench's line on Node's own start (bench/node-start.ts): said only where the environment
// sets NODE_EXTRA_CA_CERTS, with both figures. The figures are the machine's: only their form
// and order are tested, never their size.

import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { describeNodeStart, nodeStartMs } from "../../bench/node-start.js";

const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

describe("node's start-up line", () => {
  it("says nothing where NODE_EXTRA_CA_CERTS is not set", () => {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    expect(describeNodeStart(env, 1)).toBeNull();
    expect(describeNodeStart({ ...env, NODE_EXTRA_CA_CERTS: "" }, 1)).toBeNull();
  });

  it("times node -e 0, and gives null where node fails", () => {
    expect(nodeStartMs(process.env)).toBeGreaterThan(0);
    expect(nodeStartMs({ ...process.env, NODE_OPTIONS: "--no-such-node-option" })).toBeNull();
  });

  it.skipIf(!existsSync(BUNDLE))("where it is set, both figures and the file", () => {
    const line = describeNodeStart({ ...process.env, NODE_EXTRA_CA_CERTS: BUNDLE }, 1);
    expect(line).toMatch(/^node start-up: \d+ ms here, \d+ ms without NODE_EXTRA_CA_CERTS \(this environment sets it to \/etc\/ssl\/certs\/ca-certificates\.crt;/);
  });
});
