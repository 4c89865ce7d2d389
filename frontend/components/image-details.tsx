import { formatBytes, formatDimensions, formatImageFormat } from "@/lib/format";
import type { Image, ImageStatus } from "@/lib/types";

import styles from "./image-details.module.css";
import { LocalTime } from "./local-time";

const STATUS_LABELS: Record<ImageStatus, string> = {
  pending: "Processing",
  ready: "Ready",
  failed: "Failed",
};

/** What the pipeline knows about an image, as a description list. */
export function ImageDetails({ image }: { image: Image }) {
  const dimensions = formatDimensions(image.width, image.height);
  const format = formatImageFormat(image.format);

  return (
    <dl className={styles.list} data-testid="image-details">
      <dt>Status</dt>
      <dd>
        <span className={styles[image.status]}>
          {STATUS_LABELS[image.status]}
        </span>
      </dd>
      {image.status === "failed" ? (
        <>
          <dt>Reason</dt>
          <dd data-testid="dialog-reason">
            {image.reason ?? "No reason was recorded."}
          </dd>
        </>
      ) : null}
      <dt>Dimensions</dt>
      <dd>{dimensions ?? "Unknown"}</dd>
      <dt>Size</dt>
      <dd>
        {image.byte_size === null ? "Unknown" : formatBytes(image.byte_size)}
      </dd>
      <dt>Format</dt>
      <dd>{format ?? image.content_type ?? "Unknown"}</dd>
      <dt>Uploaded</dt>
      <dd>
        <LocalTime iso={image.uploaded_at} />
      </dd>
      <dt>Processed</dt>
      <dd>
        {image.processed_at ? (
          <LocalTime iso={image.processed_at} />
        ) : (
          "Not yet"
        )}
      </dd>
      <dt>Key</dt>
      <dd className={styles.key}>{image.original_key}</dd>
    </dl>
  );
}
