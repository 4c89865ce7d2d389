"use client";

import { useRef, useState } from "react";

import { describeError } from "@/lib/describe-error";
import { deleteImage } from "@/lib/gallery-api";

import styles from "./delete-image-button.module.css";

interface DeleteImageButtonProps {
  imageId: string;
  onDeleted: (imageId: string) => void;
}

type DeleteStep = "idle" | "confirming" | "deleting";

const BUTTON_LABELS: Record<DeleteStep, string> = {
  idle: "Delete",
  confirming: "Yes, delete",
  deleting: "Deleting…",
};

/**
 * Delete the original (the pipeline then removes thumbnails and row) after a
 * second click. The same button asks and confirms, so keyboard focus stays put.
 */
export function DeleteImageButton({
  imageId,
  onDeleted,
}: DeleteImageButtonProps) {
  const [step, setStep] = useState<DeleteStep>("idle");
  const [error, setError] = useState<string | null>(null);
  const mainButtonRef = useRef<HTMLButtonElement>(null);
  const isAsking = step !== "idle";

  function cancel() {
    setStep("idle");
    // The Cancel button is about to vanish: keep focus on the one that stays.
    mainButtonRef.current?.focus();
  }

  async function handleClick() {
    if (step === "idle") {
      setStep("confirming");
      return;
    }
    setStep("deleting");
    setError(null);
    try {
      await deleteImage(imageId);
      onDeleted(imageId);
    } catch (caught) {
      setError(describeError(caught));
      setStep("idle");
    }
  }

  return (
    <div className={styles.group}>
      {error ? (
        <span className={styles.error} role="alert">
          {error}
        </span>
      ) : null}
      {isAsking ? (
        <span className={styles.question} role="status">
          Delete this image for good?
        </span>
      ) : null}
      {isAsking ? (
        <button
          type="button"
          className={styles.cancel}
          onClick={cancel}
          disabled={step === "deleting"}
        >
          Cancel
        </button>
      ) : null}
      <button
        ref={mainButtonRef}
        type="button"
        className={isAsking ? styles.confirm : styles.delete}
        onClick={handleClick}
        disabled={step === "deleting"}
        data-step={step}
        data-testid="dialog-delete"
      >
        {BUTTON_LABELS[step]}
      </button>
    </div>
  );
}
