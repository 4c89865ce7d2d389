// Complete the standalone server after `next build`: Next leaves the static
// assets (and public/) out of .next/standalone, expecting a CDN or a copy.
// Copying them here lets `npm start` and the Docker image serve everything.

import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";

const standalone = join(".next", "standalone");

if (!existsSync(join(standalone, "server.js"))) {
  console.error("No .next/standalone/server.js: run `next build` first.");
  process.exit(1);
}

cpSync(join(".next", "static"), join(standalone, ".next", "static"), {
  recursive: true,
});
if (existsSync("public")) {
  cpSync("public", join(standalone, "public"), { recursive: true });
}
