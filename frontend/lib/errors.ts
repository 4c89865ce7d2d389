/**
 * The one error type of the gallery's API calls, on the server and in the
 * browser, built from the API's `{"error": {"code", "message"}}` bodies.
 */

import type { ApiErrorBody } from "./types";

/** An API answer that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** Tell whether a parsed JSON value has the API's error shape. */
export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) {
    return false;
  }
  const error: unknown = value.error;
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    "message" in error &&
    typeof error.code === "string" &&
    typeof error.message === "string"
  );
}

/** Build the error body the gallery answers with when the API did not. */
export function makeErrorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/**
 * Turn a failed answer's status and body text into an ApiError.
 *
 * The API's own message is kept when the body has the documented shape;
 * anything else (an HTML gateway page, an empty body) gets a generic one.
 */
export function toApiError(status: number, bodyText: string): ApiError {
  const parsed = parseJson(bodyText);
  if (isApiErrorBody(parsed)) {
    return new ApiError(status, parsed.error.code, parsed.error.message);
  }
  return new ApiError(
    status,
    "unexpected_response",
    `The image API answered HTTP ${status}.`,
  );
}

/** Parse JSON text, answering undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
