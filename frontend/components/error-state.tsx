import styles from "./error-state.module.css";

interface ErrorStateProps {
  title: string;
  message: string;
  detail?: string | null;
  onRetry: () => void;
}

/** A failed load: what went wrong in plain words, and a way to try again. */
export function ErrorState({
  title,
  message,
  detail,
  onRetry,
}: ErrorStateProps) {
  return (
    <section className={styles.panel} role="alert" data-testid="error-state">
      <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true">
        <path d="M12 3 2 21h20L12 3Zm0 6v5m0 3v.5" />
      </svg>
      <h2 className={styles.title}>{title}</h2>
      <p className={styles.message}>{message}</p>
      {detail ? <p className={styles.detail}>{detail}</p> : null}
      <button
        type="button"
        className={styles.retry}
        onClick={onRetry}
        data-testid="retry-button"
      >
        Retry
      </button>
    </section>
  );
}
