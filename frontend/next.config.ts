import type { NextConfig } from "next";

const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  // Presigned URLs carry their signature in the query string: never leak the
  // gallery's own URLs (or anything else) to the storage host as a referrer.
  { key: "Referrer-Policy", value: "no-referrer" },
];

const nextConfig: NextConfig = {
  // A self-contained server (.next/standalone) for the Docker image and for
  // `npm start`; the API URL is read from the environment at request time.
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  // `next dev` would otherwise write an AGENTS.md into the sources.
  agentRules: false,
  experimental: {
    agentUpgrade: false,
  },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
