import styles from "./empty-state.module.css";
import { UPLOAD_INPUT_ID } from "./upload-zone";

/** The gallery before its first upload: say so, and point at the uploader. */
export function EmptyState() {
  function openFilePicker() {
    document.getElementById(UPLOAD_INPUT_ID)?.click();
  }

  return (
    <section className={styles.panel} data-testid="empty-state">
      <svg className={styles.icon} viewBox="0 0 48 48" aria-hidden="true">
        <rect x="6" y="10" width="36" height="28" rx="4" />
        <circle cx="17" cy="20" r="3.5" />
        <path d="m8 34 10-10 7 7 5-5 10 10" />
      </svg>
      <h2 className={styles.title}>No images yet</h2>
      <p className={styles.text}>
        Drop photos onto the area above, or choose them from your computer. Each
        one shows up here as soon as its thumbnail is ready.
      </p>
      <button type="button" className={styles.button} onClick={openFilePicker}>
        Upload images
      </button>
    </section>
  );
}
