import type { Image } from "@/lib/types";

import { ImageCard } from "./image-card";
import styles from "./image-grid.module.css";

interface ImageGridProps {
  images: Image[];
  stalledIds: ReadonlySet<string>;
  onOpen: (imageId: string, card: HTMLButtonElement) => void;
}

/** The tutorial's responsive grid of cards, newest first. */
export function ImageGrid({ images, stalledIds, onOpen }: ImageGridProps) {
  return (
    <ul className={styles.grid} data-testid="image-grid">
      {images.map((image) => (
        <li key={image.image_id} className={styles.cell}>
          <ImageCard
            image={image}
            isStalled={stalledIds.has(image.image_id)}
            onOpen={onOpen}
          />
        </li>
      ))}
    </ul>
  );
}
