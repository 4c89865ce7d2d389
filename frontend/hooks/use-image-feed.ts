"use client";

import { useCallback, useRef, useState } from "react";

import { describeError } from "@/lib/describe-error";
import { fetchImagePage } from "@/lib/gallery-api";
import {
  appendImages,
  prependImage,
  removeImage,
  replaceImage,
} from "@/lib/image-list";
import type { Image, ImagePage } from "@/lib/types";

/**
 * The images the gallery shows: the server's first page, further pages by
 * cursor, fresh uploads on top, and updates from polling.
 */
export function useImageFeed(initialPage: ImagePage) {
  const [images, setImages] = useState(initialPage.items);
  const [cursor, setCursor] = useState(initialPage.next_cursor);
  const [isLoading, setIsLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const isLoadingRef = useRef(false);

  const loadMore = useCallback(async () => {
    // The sentinel and the button can both ask for the same page.
    if (cursor === null || isLoadingRef.current) {
      return;
    }
    isLoadingRef.current = true;
    setIsLoading(true);
    setLoadError(null);
    try {
      const page = await fetchImagePage(cursor);
      setImages((current) => appendImages(current, page.items));
      // A cursor that does not move would ask for the same page forever.
      setCursor(page.next_cursor === cursor ? null : page.next_cursor);
    } catch (error) {
      setLoadError(describeError(error));
    } finally {
      isLoadingRef.current = false;
      setIsLoading(false);
    }
  }, [cursor]);

  const addImage = useCallback((image: Image) => {
    setImages((current) => prependImage(current, image));
  }, []);

  const updateImage = useCallback((image: Image) => {
    setImages((current) => replaceImage(current, image));
  }, []);

  const dropImage = useCallback((imageId: string) => {
    setImages((current) => removeImage(current, imageId));
  }, []);

  return {
    images,
    hasMore: cursor !== null,
    isLoading,
    loadError,
    loadMore,
    addImage,
    updateImage,
    dropImage,
  };
}
