/**
 * Globals k6's runtime has that @types/k6 does not declare: the console, and structuredClone (reached only by
 * the type of contracts/editions.ts, which the bundles never call).
 */
declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
declare function structuredClone<T>(value: T): T;
