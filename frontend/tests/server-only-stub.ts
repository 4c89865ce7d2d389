// Stands in for the `server-only` guard when lib/ modules run under Vitest.
export {};
