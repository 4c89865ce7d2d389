import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/errors";
import { makeBackoffDelays, pollImage } from "@/lib/poll-image";
import type { Image } from "@/lib/types";

import { makeImage } from "../sample-image";

type Answer = Image | ApiError;

/** A fetchImage that gives the answers in order, recording each call. */
function answering(answers: Answer[]) {
  const calls: string[] = [];
  const fetchImage = async (imageId: string) => {
    calls.push(imageId);
    const answer = answers[calls.length - 1] ?? answers.at(-1);
    if (answer === undefined || answer instanceof ApiError) {
      throw answer ?? new ApiError(500, "none", "no answer");
    }
    return answer;
  };
  return { calls, fetchImage };
}

function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (delayMs: number) => {
    delays.push(delayMs);
  };
  return { delays, sleep };
}

const pending = makeImage({ status: "pending" });
const ready = makeImage({ status: "ready" });
const notFound = new ApiError(404, "not_found", "No such image.");
const unavailable = new ApiError(502, "api_unavailable", "Down.");

describe("makeBackoffDelays", () => {
  it("grows by the factor and stops at the cap", () => {
    expect(makeBackoffDelays(1000, 2, 5000, 5)).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });
});

describe("pollImage", () => {
  it("settles as soon as the image is no longer pending", async () => {
    const { calls, fetchImage } = answering([pending, pending, ready]);
    const { delays, sleep } = recordingSleep();

    const outcome = await pollImage("a1", {
      fetchImage,
      sleep,
      delaysMs: [10, 20, 30, 40],
      signal: new AbortController().signal,
    });

    expect(outcome).toEqual({ kind: "settled", image: ready });
    expect(calls).toEqual(["a1", "a1", "a1"]);
    expect(delays).toEqual([10, 20, 30]);
  });

  it("gives up after the last delay while still pending", async () => {
    const { fetchImage } = answering([pending]);
    const { sleep } = recordingSleep();

    const outcome = await pollImage("a1", {
      fetchImage,
      sleep,
      delaysMs: [1, 1, 1],
      signal: new AbortController().signal,
    });

    expect(outcome).toEqual({ kind: "gave_up" });
  });

  it("keeps polling through server errors", async () => {
    const { fetchImage } = answering([unavailable, unavailable, ready]);
    const { sleep } = recordingSleep();

    const outcome = await pollImage("a1", {
      fetchImage,
      sleep,
      delaysMs: [1, 1, 1],
      signal: new AbortController().signal,
    });

    expect(outcome.kind).toBe("settled");
  });

  it("tolerates a few 404s of a freshly written row", async () => {
    const { fetchImage } = answering([notFound, notFound, notFound, ready]);
    const { sleep } = recordingSleep();

    const outcome = await pollImage("a1", {
      fetchImage,
      sleep,
      delaysMs: [1, 1, 1, 1, 1],
      signal: new AbortController().signal,
    });

    expect(outcome.kind).toBe("settled");
  });

  it("reports an image that stays 404 as gone", async () => {
    const { calls, fetchImage } = answering([notFound]);
    const { sleep } = recordingSleep();

    const outcome = await pollImage("a1", {
      fetchImage,
      sleep,
      delaysMs: [1, 1, 1, 1, 1, 1],
      signal: new AbortController().signal,
    });

    expect(outcome).toEqual({ kind: "gone" });
    expect(calls).toHaveLength(4);
  });

  it("rejects when aborted", async () => {
    const controller = new AbortController();
    const fetchImage = async (): Promise<Image> => {
      controller.abort();
      throw new DOMException("aborted", "AbortError");
    };
    const { sleep } = recordingSleep();

    await expect(
      pollImage("a1", {
        fetchImage,
        sleep,
        delaysMs: [1, 1],
        signal: controller.signal,
      }),
    ).rejects.toThrow("aborted");
  });
});
