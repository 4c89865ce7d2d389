"use client";

import { useEffect, useEffectEvent, useRef } from "react";

import { fetchImage } from "@/lib/gallery-api";
import { pollImage, sleep, type PollOutcome } from "@/lib/poll-image";
import type { Image } from "@/lib/types";

interface PollingHandlers {
  onSettled: (image: Image) => void;
  onGone: (imageId: string) => void;
  onGaveUp: (imageId: string) => void;
}

/**
 * Poll every pending image in `images` (fresh uploads and rows still being
 * processed when the page loaded) until it is ready or failed. Each image is
 * polled once per page view: one that gives up is not polled again.
 */
export function usePendingPolling(images: Image[], handlers: PollingHandlers) {
  const pollsRef = useRef(new Map<string, AbortController>());

  const handleOutcome = useEffectEvent(
    (imageId: string, outcome: PollOutcome) => {
      if (outcome.kind === "settled") {
        handlers.onSettled(outcome.image);
      } else if (outcome.kind === "gone") {
        handlers.onGone(imageId);
      } else {
        handlers.onGaveUp(imageId);
      }
    },
  );

  useEffect(() => {
    const polls = pollsRef.current;
    const shownIds = new Set(images.map((image) => image.image_id));
    for (const [imageId, controller] of polls) {
      if (!shownIds.has(imageId)) {
        controller.abort();
        polls.delete(imageId);
      }
    }

    for (const image of images) {
      if (image.status !== "pending" || polls.has(image.image_id)) {
        continue;
      }
      const controller = new AbortController();
      polls.set(image.image_id, controller);
      pollImage(image.image_id, {
        fetchImage,
        sleep,
        signal: controller.signal,
      })
        .then((outcome) => handleOutcome(image.image_id, outcome))
        .catch(() => {
          // Rejects only when aborted: the card left the page.
        });
    }
  }, [images]);

  useEffect(() => {
    const polls = pollsRef.current;
    return () => {
      for (const controller of polls.values()) {
        controller.abort();
      }
      polls.clear();
    };
  }, []);
}
