"use client";

import { useSyncExternalStore } from "react";

import { formatDateTime } from "@/lib/format";

const subscribeToNothing = () => () => {};
const isBrowser = () => true;
const isServer = () => false;

/**
 * A timestamp in the viewer's time zone. The server (and hydration) render it
 * in UTC, which every machine agrees on; the browser then switches to local
 * time, so the HTML never mismatches.
 */
export function LocalTime({ iso }: { iso: string }) {
  const isHydrated = useSyncExternalStore(
    subscribeToNothing,
    isBrowser,
    isServer,
  );
  const text = formatDateTime(iso, isHydrated ? undefined : "UTC");

  return <time dateTime={iso}>{text}</time>;
}
