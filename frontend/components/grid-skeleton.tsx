import styles from "./grid-skeleton.module.css";
import gridStyles from "./image-grid.module.css";

const PLACEHOLDER_CARDS = 10;

/** The grid's shape while the first page loads. */
export function GridSkeleton() {
  return (
    <div data-testid="loading-state" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading images…
      </p>
      <ul className={gridStyles.grid} aria-hidden="true">
        {Array.from({ length: PLACEHOLDER_CARDS }, (_, index) => (
          <li key={index} className={styles.card}>
            <div className={styles.media} />
            <div className={styles.lineWide} />
            <div className={styles.lineShort} />
          </li>
        ))}
      </ul>
    </div>
  );
}
