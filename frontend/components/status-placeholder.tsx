import type { Image } from "@/lib/types";

import { Spinner } from "./spinner";
import styles from "./status-placeholder.module.css";

interface StatusPlaceholderProps {
  image: Image;
  isStalled: boolean;
}

/** What stands in for a thumbnail: processing, failed with its reason, or none. */
export function StatusPlaceholder({
  image,
  isStalled,
}: StatusPlaceholderProps) {
  if (image.status === "pending") {
    return (
      <span className={styles.pending}>
        <Spinner />
        <span className={styles.label}>Processing…</span>
        {isStalled ? (
          <span className={styles.hint}>Taking long. Reload later.</span>
        ) : null}
      </span>
    );
  }

  if (image.status === "failed") {
    return (
      <span className={styles.failed}>
        <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v6m0 3.5v.5" />
        </svg>
        <span className={styles.label}>Processing failed</span>
        <span className={styles.reason} data-testid="failure-reason">
          {image.reason ?? "No reason was recorded."}
        </span>
      </span>
    );
  }

  return (
    <span className={styles.pending}>
      <span className={styles.label}>No preview</span>
    </span>
  );
}
