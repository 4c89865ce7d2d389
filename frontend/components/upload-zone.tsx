"use client";

import { useEffect, useState, type ChangeEvent, type DragEvent } from "react";

import { useUploads } from "@/hooks/use-uploads";
import { formatBytes } from "@/lib/format";
import type { UploadTicket } from "@/lib/types";
import { ACCEPT_ATTRIBUTE, ACCEPTED_LABEL } from "@/lib/upload-rules";

import { UploadList } from "./upload-list";
import styles from "./upload-zone.module.css";

/** Id of the file input, so other parts of the page can open the picker. */
export const UPLOAD_INPUT_ID = "upload-input";

interface UploadZoneProps {
  maxUploadBytes: number;
  onUploaded: (ticket: UploadTicket) => void;
}

function hasFiles(event: DragEvent | globalThis.DragEvent): boolean {
  return event.dataTransfer?.types.includes("Files") ?? false;
}

/** Drag-and-drop area and file picker, with one progress row per file. */
export function UploadZone({ maxUploadBytes, onUploaded }: UploadZoneProps) {
  const { entries, addFiles, clearFinished } = useUploads(
    maxUploadBytes,
    onUploaded,
  );
  const [isDragging, setIsDragging] = useState(false);

  useEffect(() => {
    // A file dropped beside the zone would make the browser leave the page to
    // show it; swallow such drops instead.
    const ignoreStrayDrop = (event: globalThis.DragEvent) => {
      if (hasFiles(event)) {
        event.preventDefault();
      }
    };
    window.addEventListener("dragover", ignoreStrayDrop);
    window.addEventListener("drop", ignoreStrayDrop);
    return () => {
      window.removeEventListener("dragover", ignoreStrayDrop);
      window.removeEventListener("drop", ignoreStrayDrop);
    };
  }, []);

  function handleDragOver(event: DragEvent<HTMLElement>) {
    if (!hasFiles(event)) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setIsDragging(true);
  }

  function handleDragLeave(event: DragEvent<HTMLElement>) {
    const next = event.relatedTarget;
    if (!(next instanceof Node) || !event.currentTarget.contains(next)) {
      setIsDragging(false);
    }
  }

  function handleDrop(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    setIsDragging(false);
    addFiles(Array.from(event.dataTransfer.files));
  }

  function handlePick(event: ChangeEvent<HTMLInputElement>) {
    addFiles(Array.from(event.target.files ?? []));
    // Clearing lets the same file be chosen again after a failure.
    event.target.value = "";
  }

  return (
    <section className={styles.wrapper} aria-labelledby="upload-heading">
      <div
        className={isDragging ? styles.zoneActive : styles.zone}
        onDragEnter={handleDragOver}
        onDragOver={handleDragOver}
        onDragLeave={handleDragLeave}
        onDrop={handleDrop}
        data-testid="drop-zone"
      >
        <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />
        </svg>
        <h2 id="upload-heading" className={styles.heading}>
          Drop images here
        </h2>
        <p className={styles.text}>
          or{" "}
          <input
            id={UPLOAD_INPUT_ID}
            className={`visually-hidden ${styles.input}`}
            type="file"
            accept={ACCEPT_ATTRIBUTE}
            multiple
            onChange={handlePick}
            data-testid="upload-input"
          />
          <label htmlFor={UPLOAD_INPUT_ID} className={styles.pick}>
            choose files
          </label>
        </p>
        <p className={styles.hint}>
          {ACCEPTED_LABEL}, up to {formatBytes(maxUploadBytes)} each.
        </p>
      </div>
      <UploadList entries={entries} onClear={clearFinished} />
    </section>
  );
}
