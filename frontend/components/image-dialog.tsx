"use client";

import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from "react";

import { pickPreview } from "@/lib/image-list";
import type { Image } from "@/lib/types";

import { DeleteImageButton } from "./delete-image-button";
import styles from "./image-dialog.module.css";
import { ImageDetails } from "./image-details";
import { PresignedImage } from "./presigned-image";
import { StatusPlaceholder } from "./status-placeholder";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface ImageDialogProps {
  image: Image;
  onClose: () => void;
  onDeleted: (imageId: string) => void;
}

/** Keep Tab and Shift+Tab cycling inside the dialog. */
function trapFocus(event: KeyboardEvent<HTMLDialogElement>) {
  if (event.key !== "Tab") {
    return;
  }
  const focusable = Array.from(
    event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE),
  );
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) {
    return;
  }
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * The larger view of one image, a native modal <dialog>: the page behind it is
 * inert, Escape closes it, and the caller puts focus back on the card.
 */
export function ImageDialog({ image, onClose, onDeleted }: ImageDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const preview = pickPreview(image);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  }, []);

  function closeDialog() {
    dialogRef.current?.close();
  }

  function handleDeleted(imageId: string) {
    // Close first: while the modal is open the page behind it is inert and
    // cannot take the focus the gallery moves there.
    closeDialog();
    onDeleted(imageId);
  }

  function handleBackdropClick(event: MouseEvent<HTMLDialogElement>) {
    // The dialog's own box is all padding-free content: a click whose target
    // is the dialog itself landed on the backdrop.
    if (event.target === event.currentTarget) {
      closeDialog();
    }
  }

  return (
    <dialog
      ref={dialogRef}
      className={styles.dialog}
      aria-labelledby="image-dialog-title"
      onClose={onClose}
      onKeyDown={trapFocus}
      onClick={handleBackdropClick}
      data-testid="image-dialog"
    >
      <div className={styles.content}>
        <header className={styles.header}>
          <h2 id="image-dialog-title" className={styles.title}>
            {image.name}
          </h2>
          <button
            type="button"
            className={styles.close}
            onClick={closeDialog}
            aria-label="Close"
            data-testid="dialog-close"
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M6 6l12 12M18 6 6 18" />
            </svg>
          </button>
        </header>
        <div className={styles.preview}>
          {image.status === "ready" && preview ? (
            <PresignedImage
              src={preview.url}
              alt={image.name}
              width={preview.width}
              height={preview.height}
              className={styles.image}
              fallbackClassName={styles.fallback}
              isLazy={false}
            />
          ) : (
            <StatusPlaceholder image={image} isStalled={false} />
          )}
        </div>
        <ImageDetails image={image} />
        <footer className={styles.footer}>
          {image.original_url ? (
            <a
              className={styles.original}
              href={image.original_url}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="dialog-original-link"
            >
              Open original
            </a>
          ) : null}
          <DeleteImageButton
            imageId={image.image_id}
            onDeleted={handleDeleted}
          />
        </footer>
      </div>
    </dialog>
  );
}
