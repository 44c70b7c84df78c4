// The SQLite adapter's engine is synchronous (better-sqlite3 is), so it implements the store
// port's operations with their promises taken off; sqliteStore.ts puts them back.
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K] extends object ? Sync<T[K]> : T[K];
};
