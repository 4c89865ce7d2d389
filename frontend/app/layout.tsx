import type { Metadata } from "next";
import type { ReactNode } from "react";

import "./globals.css";
import styles from "./layout.module.css";

export const metadata: Metadata = {
  title: "Image Gallery",
  description: "Thumbnails made by the local image pipeline, newest first.",
};

export default function RootLayout({
  children,
}: Readonly<{ children: ReactNode }>) {
  return (
    <html lang="en">
      <body>
        <main className={styles.page}>
          <header className={styles.header}>
            <h1 className={styles.title}>Image Gallery</h1>
            <p className={styles.subtitle}>
              Upload photos and watch the pipeline turn them into thumbnails.
            </p>
          </header>
          {children}
        </main>
      </body>
    </html>
  );
}
