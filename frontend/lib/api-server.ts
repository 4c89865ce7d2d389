/**
 * Server-side calls to the image API at GALLERY_API_URL: typed helpers for
 * pages, and a pass-through proxy for the gallery's own /api route handlers.
 */

import "server-only";

import { ConfigError, readApiBaseUrl } from "./config";
import { ApiError, makeErrorBody, parseJson, toApiError } from "./errors";
import { parseImagePage } from "./parse";
import { makeListPath, type ListQuery } from "./paths";
import type { ImagePage } from "./types";

/** A cold Lambda in an emulator can take several seconds to answer. */
const UPSTREAM_TIMEOUT_MS = 20_000;

/** Statuses whose responses must not carry a body. */
const BODILESS_STATUSES = new Set([204, 205, 304]);

/**
 * Send one request to the API and return its response, whatever its status.
 *
 * Throws ApiError 500 when GALLERY_API_URL is unusable, 502 when the API
 * cannot be reached and 504 when it does not answer in time.
 */
export async function fetchFromApi(
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  let baseUrl: string;
  try {
    baseUrl = readApiBaseUrl();
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ApiError(500, "not_configured", error.message);
    }
    throw error;
  }

  try {
    return await fetch(`${baseUrl}${path}`, {
      ...init,
      cache: "no-store",
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new ApiError(
        504,
        "api_timeout",
        "The image API did not answer in time.",
      );
    }
    throw new ApiError(
      502,
      "api_unavailable",
      "The image API cannot be reached.",
    );
  }
}

/** Load one page of the newest-first listing. */
export async function listImages(query: ListQuery): Promise<ImagePage> {
  const response = await fetchFromApi(makeListPath(query));
  const text = await response.text();
  if (!response.ok) {
    throw toApiError(response.status, text);
  }
  return parseImagePage(parseJson(text));
}

/**
 * Forward a request to the API and hand its answer back unchanged: status,
 * JSON body and error bodies alike. Error bodies that lack the API's shape
 * (a gateway's plain-text 502) are rewritten into it, keeping the status.
 */
export async function proxyToApi(
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  let upstream: Response;
  try {
    upstream = await fetchFromApi(path, init);
  } catch (error) {
    if (error instanceof ApiError) {
      return Response.json(makeErrorBody(error.code, error.message), {
        status: error.status,
      });
    }
    throw error;
  }

  const text = await upstream.text();
  if (!upstream.ok) {
    const apiError = toApiError(upstream.status, text);
    return Response.json(makeErrorBody(apiError.code, apiError.message), {
      status: upstream.status,
    });
  }
  if (BODILESS_STATUSES.has(upstream.status) || text === "") {
    return new Response(null, { status: upstream.status });
  }
  return new Response(text, {
    status: upstream.status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    },
  });
}
