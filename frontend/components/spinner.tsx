import styles from "./spinner.module.css";

/** A small turning ring; decorative, so the text next to it carries the meaning. */
export function Spinner() {
  return <span className={styles.spinner} aria-hidden="true" />;
}
