import type { UploadEntry, UploadPhase } from "@/hooks/use-uploads";
import { formatBytes } from "@/lib/format";

import styles from "./upload-list.module.css";

const PHASE_LABELS: Record<UploadPhase, string> = {
  queued: "Waiting…",
  requesting: "Preparing…",
  uploading: "Uploading…",
  done: "Uploaded. Processing in the gallery below.",
  failed: "Not uploaded.",
};

const BAR_STYLES: Record<UploadPhase, string | undefined> = {
  queued: styles.bar,
  requesting: styles.bar,
  uploading: styles.bar,
  done: styles.barDone,
  failed: styles.barFailed,
};

interface UploadListProps {
  entries: UploadEntry[];
  onClear: () => void;
}

function describePhase(entry: UploadEntry): string {
  if (entry.phase === "uploading") {
    return `Uploading… ${Math.round(entry.progress * 100)}%`;
  }
  return PHASE_LABELS[entry.phase];
}

/** One row per chosen file: its name, size, progress and any error. */
export function UploadList({ entries, onClear }: UploadListProps) {
  if (entries.length === 0) {
    return null;
  }
  const hasFinished = entries.some(
    (entry) => entry.phase === "done" || entry.phase === "failed",
  );

  return (
    <div className={styles.panel}>
      <ul className={styles.list} data-testid="upload-list">
        {entries.map((entry) => (
          <li
            key={entry.id}
            className={styles.row}
            data-testid="upload-item"
            data-phase={entry.phase}
            data-file-name={entry.name}
          >
            <span className={styles.name}>{entry.name}</span>
            <span className={styles.size}>{formatBytes(entry.size)}</span>
            <progress
              className={BAR_STYLES[entry.phase]}
              max={1}
              value={entry.progress}
              aria-label={`Upload progress of ${entry.name}`}
              data-testid="upload-progress"
            />
            <span
              className={
                entry.phase === "failed" ? styles.error : styles.status
              }
              role={entry.phase === "failed" ? "alert" : undefined}
              data-testid="upload-message"
            >
              {entry.message ?? describePhase(entry)}
            </span>
          </li>
        ))}
      </ul>
      {hasFinished ? (
        <button type="button" className={styles.clear} onClick={onClear}>
          Clear finished
        </button>
      ) : null}
    </div>
  );
}
