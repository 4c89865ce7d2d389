// `npm start`: run the standalone server built by `npm run build`, on
// 127.0.0.1:3000 unless HOSTNAME or PORT say otherwise. GALLERY_API_URL is
// read by the server on every request, so it can change without a rebuild.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const server = resolve(".next", "standalone", "server.js");

if (!existsSync(server)) {
  console.error("No standalone build found: run `npm run build` first.");
  process.exit(1);
}

process.env.HOSTNAME ||= "127.0.0.1";
process.env.PORT ||= "3000";
process.env.NODE_ENV = "production";

await import(pathToFileURL(server).href);
