"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { useImageFeed } from "@/hooks/use-image-feed";
import { usePendingPolling } from "@/hooks/use-pending-polling";
import { makePendingImage } from "@/lib/image-list";
import type { ImagePage, UploadTicket } from "@/lib/types";

import { EmptyState } from "./empty-state";
import styles from "./gallery.module.css";
import { ImageDialog } from "./image-dialog";
import { ImageGrid } from "./image-grid";
import { LoadMore } from "./load-more";
import { UploadZone } from "./upload-zone";

interface GalleryProps {
  initialPage: ImagePage;
  maxUploadBytes: number;
}

/** The interactive gallery: uploader, grid, paging and the larger view. */
export function Gallery({ initialPage, maxUploadBytes }: GalleryProps) {
  const feed = useImageFeed(initialPage);
  const { addImage, updateImage, dropImage } = feed;
  const [stalledIds, setStalledIds] = useState<ReadonlySet<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Until React has hydrated the page, clicks and file picks do nothing;
  // browser tests wait for this mark before they interact.
  useEffect(() => {
    document.body.dataset.galleryReady = "true";
  }, []);

  const markStalled = useCallback((imageId: string) => {
    setStalledIds((current) => new Set(current).add(imageId));
  }, []);
  usePendingPolling(feed.images, {
    onSettled: updateImage,
    onGone: dropImage,
    onGaveUp: markStalled,
  });

  const handleUploaded = useCallback(
    (ticket: UploadTicket) => {
      addImage(makePendingImage(ticket.image_id, ticket.key, new Date()));
    },
    [addImage],
  );

  function openImage(imageId: string, card: HTMLButtonElement) {
    openerRef.current = card;
    setSelectedId(imageId);
  }

  function closeImage() {
    setSelectedId(null);
    // Back to the card that opened the dialog, or to the heading when that
    // card is gone (deleted).
    const opener = openerRef.current;
    if (opener?.isConnected) {
      opener.focus();
    } else {
      headingRef.current?.focus();
    }
  }

  function handleDeleted(imageId: string) {
    setSelectedId(null);
    dropImage(imageId);
    headingRef.current?.focus();
  }

  const selected = feed.images.find((image) => image.image_id === selectedId);
  const isEmpty = feed.images.length === 0 && !feed.hasMore;

  return (
    <>
      <UploadZone maxUploadBytes={maxUploadBytes} onUploaded={handleUploaded} />
      <section aria-labelledby="images-heading">
        <h2
          id="images-heading"
          ref={headingRef}
          className={styles.heading}
          tabIndex={-1}
        >
          Latest images
        </h2>
        {isEmpty ? (
          <EmptyState />
        ) : (
          <ImageGrid
            images={feed.images}
            stalledIds={stalledIds}
            onOpen={openImage}
          />
        )}
        <LoadMore
          hasMore={feed.hasMore}
          isLoading={feed.isLoading}
          error={feed.loadError}
          shownCount={feed.images.length}
          onLoadMore={feed.loadMore}
        />
      </section>
      {selected ? (
        <ImageDialog
          key={selected.image_id}
          image={selected}
          onClose={closeImage}
          onDeleted={handleDeleted}
        />
      ) : null}
    </>
  );
}
