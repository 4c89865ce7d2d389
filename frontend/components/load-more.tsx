"use client";

import { useEffect, useRef } from "react";

import styles from "./load-more.module.css";

interface LoadMoreProps {
  hasMore: boolean;
  isLoading: boolean;
  error: string | null;
  shownCount: number;
  onLoadMore: () => void;
}

/** Distance below the viewport at which the next page starts loading. */
const PRELOAD_MARGIN = "600px 0px";

/**
 * The end of the grid: an invisible sentinel that loads the next page when it
 * scrolls into view, and a button doing the same for keyboards and for
 * browsers without IntersectionObserver.
 */
export function LoadMore({
  hasMore,
  isLoading,
  error,
  shownCount,
  onLoadMore,
}: LoadMoreProps) {
  const sentinelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const sentinel = sentinelRef.current;
    // After an error, wait for the button: scrolling must not retry in a loop.
    if (!sentinel || !hasMore || error || !("IntersectionObserver" in window)) {
      return;
    }
    // A new observer (new cursor) reports at once: a short page that leaves
    // the sentinel in view keeps loading until the screen is full.
    const observer = new IntersectionObserver(
      (observed) => {
        if (observed.some((entry) => entry.isIntersecting)) {
          onLoadMore();
        }
      },
      { rootMargin: PRELOAD_MARGIN },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, error, onLoadMore]);

  if (!hasMore) {
    return shownCount > 0 ? (
      <p className={styles.end}>
        {shownCount === 1 ? "1 image" : `All ${shownCount} images`} shown.
      </p>
    ) : null;
  }

  return (
    <div className={styles.footer}>
      <div ref={sentinelRef} className={styles.sentinel} aria-hidden="true" />
      {error ? (
        <p className={styles.error} role="alert" data-testid="load-more-error">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className={styles.button}
        onClick={onLoadMore}
        disabled={isLoading}
        aria-busy={isLoading}
        data-testid="load-more"
      >
        {isLoading ? "Loading…" : error ? "Retry" : "Load more"}
      </button>
    </div>
  );
}
