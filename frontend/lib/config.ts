/**
 * The gallery's run-time settings, read from the server's environment on every
 * request (never at build time), so one built image serves any API.
 */

import "server-only";

/** Largest upload the API accepts unless PIPELINE_MAX_UPLOAD_BYTES says otherwise. */
export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** The variables this module reads (process.env by default). */
type Environment = Readonly<Record<string, string | undefined>>;

/** GALLERY_API_URL is missing or not an http(s) URL. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Return the API base URL without a trailing slash, e.g.
 * `http://127.0.0.1:4566/_aws/execute-api/abc123`.
 */
export function readApiBaseUrl(env: Environment = process.env): string {
  const value = env.GALLERY_API_URL?.trim();
  if (!value) {
    throw new ConfigError("GALLERY_API_URL is not set.");
  }
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError("GALLERY_API_URL is not an http(s) URL.");
  }
  return value.replace(/\/+$/, "");
}

/**
 * Return the largest upload in bytes the browser should allow.
 *
 * It reads the pipeline's own PIPELINE_MAX_UPLOAD_BYTES so the gallery and
 * the API agree when both are started from the same settings; the API's
 * presigned POST stays the authority.
 */
export function readMaxUploadBytes(env: Environment = process.env): number {
  const value = Number(env.PIPELINE_MAX_UPLOAD_BYTES);
  return Number.isInteger(value) && value > 0
    ? value
    : DEFAULT_MAX_UPLOAD_BYTES;
}
