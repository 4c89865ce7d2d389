"use client";

import { useCallback, useRef, useState } from "react";

import { describeError } from "@/lib/describe-error";
import { deleteImage, requestUpload } from "@/lib/gallery-api";
import { buildUploadForm, postToStorage } from "@/lib/presigned-post";
import { runLimited } from "@/lib/run-limited";
import type { UploadTicket } from "@/lib/types";
import { checkFile } from "@/lib/upload-rules";

/** Files of one selection sent at once; the rest wait their turn. */
const PARALLEL_UPLOADS = 3;

export type UploadPhase =
  "queued" | "requesting" | "uploading" | "done" | "failed";

/** One chosen file and how far its upload has come. */
export interface UploadEntry {
  id: string;
  name: string;
  size: number;
  phase: UploadPhase;
  /** 0..1, the share of the file's bytes sent to storage. */
  progress: number;
  message: string | null;
}

/**
 * Upload chosen files: check each, ask the API for a presigned POST, post the
 * file to S3 with progress, then report the new image with `onUploaded`.
 */
export function useUploads(
  maxUploadBytes: number,
  onUploaded: (ticket: UploadTicket) => void,
) {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const nextIdRef = useRef(0);

  const updateEntry = useCallback((id: string, patch: Partial<UploadEntry>) => {
    setEntries((current) =>
      current.map((entry) =>
        entry.id === id ? { ...entry, ...patch } : entry,
      ),
    );
  }, []);

  const uploadOne = useCallback(
    async (id: string, file: File, contentType: string) => {
      let ticket: UploadTicket | null = null;
      try {
        updateEntry(id, { phase: "requesting" });
        ticket = await requestUpload({
          filename: file.name,
          content_type: contentType,
          size: file.size,
        });

        updateEntry(id, { phase: "uploading" });
        let shownPercent = 0;
        const form = buildUploadForm(ticket.upload.fields, file, file.name);
        await postToStorage(ticket.upload.url, form, (fraction) => {
          const percent = Math.floor(fraction * 100);
          if (percent !== shownPercent) {
            shownPercent = percent;
            updateEntry(id, { progress: fraction });
          }
        });

        updateEntry(id, { phase: "done", progress: 1 });
        onUploaded(ticket);
      } catch (error) {
        updateEntry(id, { phase: "failed", message: describeError(error) });
        // The API wrote a pending row when it handed out the ticket; storage
        // refused the file, so remove that row rather than leave a card that
        // stays "Processing" until its time to live runs out.
        if (ticket) {
          void deleteImage(ticket.image_id).catch(() => undefined);
        }
      }
    },
    [updateEntry, onUploaded],
  );

  const addFiles = useCallback(
    (files: readonly File[]) => {
      const added: UploadEntry[] = [];
      const tasks: (() => Promise<void>)[] = [];
      for (const file of files) {
        nextIdRef.current += 1;
        const id = `upload-${nextIdRef.current}`;
        const check = checkFile(file, maxUploadBytes);
        added.push({
          id,
          name: file.name,
          size: file.size,
          phase: check.ok ? "queued" : "failed",
          progress: 0,
          message: check.ok ? null : check.message,
        });
        if (check.ok) {
          tasks.push(() => uploadOne(id, file, check.contentType));
        }
      }
      setEntries((current) => [...added, ...current]);
      void runLimited(tasks, PARALLEL_UPLOADS);
    },
    [maxUploadBytes, uploadOne],
  );

  const clearFinished = useCallback(() => {
    setEntries((current) =>
      current.filter(
        (entry) => entry.phase !== "done" && entry.phase !== "failed",
      ),
    );
  }, []);

  return { entries, addFiles, clearFinished };
}
