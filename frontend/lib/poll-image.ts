/**
 * Follow a pending image until the processor has written its final row:
 * GET /api/images/{id} at growing intervals, for a bounded number of tries.
 */

import { ApiError } from "./errors";
import type { Image } from "./types";

/** 1 s, 1.5 s, 2.3 s, … capped at 10 s: about three minutes in all. */
export const POLL_DELAYS_MS = makeBackoffDelays(1_000, 1.5, 10_000, 22);

/**
 * A freshly written pending row may not be readable at once (reads are
 * eventually consistent): the first few 404s are not taken as "deleted".
 */
const NOT_FOUND_TOLERANCE = 3;

export type PollOutcome =
  { kind: "settled"; image: Image } | { kind: "gone" } | { kind: "gave_up" };

export interface PollOptions {
  fetchImage: (imageId: string, signal: AbortSignal) => Promise<Image>;
  sleep: (delayMs: number, signal: AbortSignal) => Promise<void>;
  delaysMs?: readonly number[];
  signal: AbortSignal;
}

/** List `count` delays growing by `factor` from `firstMs`, none above `maxMs`. */
export function makeBackoffDelays(
  firstMs: number,
  factor: number,
  maxMs: number,
  count: number,
): number[] {
  return Array.from({ length: count }, (_, attempt) =>
    Math.min(maxMs, Math.round(firstMs * factor ** attempt)),
  );
}

/**
 * Poll one image until it is ready or failed ("settled"), no longer exists
 * ("gone") or the delays run out ("gave_up"). Errors of the gallery or the
 * API (5xx, network) count as one more try; an abort rejects.
 */
export async function pollImage(
  imageId: string,
  { fetchImage, sleep, delaysMs = POLL_DELAYS_MS, signal }: PollOptions,
): Promise<PollOutcome> {
  let notFoundCount = 0;
  for (const delayMs of delaysMs) {
    await sleep(delayMs, signal);
    try {
      const image = await fetchImage(imageId, signal);
      if (image.status !== "pending") {
        return { kind: "settled", image };
      }
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      if (error instanceof ApiError && error.status === 404) {
        notFoundCount += 1;
        if (notFoundCount > NOT_FOUND_TOLERANCE) {
          return { kind: "gone" };
        }
      }
    }
  }
  return { kind: "gave_up" };
}

/** Wait `delayMs`, rejecting early when `signal` aborts. */
export function sleep(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, delayMs);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
