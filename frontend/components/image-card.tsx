import { pickThumbnail } from "@/lib/image-list";
import type { Image } from "@/lib/types";

import styles from "./image-card.module.css";
import { LocalTime } from "./local-time";
import { PresignedImage } from "./presigned-image";
import { StatusPlaceholder } from "./status-placeholder";

/** Cards are about 220 px wide: the 200 px thumbnail is the right size. */
const CARD_EDGE_PX = 200;

interface ImageCardProps {
  image: Image;
  isStalled: boolean;
  onOpen: (imageId: string, card: HTMLButtonElement) => void;
}

function describeCard(image: Image): string {
  if (image.status === "pending") {
    return `${image.name}, processing`;
  }
  if (image.status === "failed") {
    const reason = image.reason ?? "no reason recorded";
    return `${image.name}, processing failed: ${reason}`;
  }
  return image.name;
}

/** One image of the grid: a button that opens the larger view. */
export function ImageCard({ image, isStalled, onOpen }: ImageCardProps) {
  const thumbnail = pickThumbnail(image, CARD_EDGE_PX);
  const hasPreview = image.status === "ready" && thumbnail !== null;

  return (
    <button
      type="button"
      className={styles.card}
      onClick={(event) => onOpen(image.image_id, event.currentTarget)}
      aria-label={`${describeCard(image)}. Show details`}
      aria-haspopup="dialog"
      data-testid="image-card"
      data-status={image.status}
      data-image-id={image.image_id}
    >
      <span className={styles.media}>
        {hasPreview ? (
          <PresignedImage
            src={thumbnail.url}
            alt={image.name}
            width={thumbnail.width}
            height={thumbnail.height}
            className={styles.thumbnail}
            fallbackClassName={styles.fallback}
          />
        ) : (
          <StatusPlaceholder image={image} isStalled={isStalled} />
        )}
      </span>
      <span className={styles.body}>
        <span className={styles.name}>{image.name}</span>
        <span className={styles.date}>
          <LocalTime iso={image.uploaded_at} />
        </span>
      </span>
    </button>
  );
}
