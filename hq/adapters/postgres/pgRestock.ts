// PLACEHOLDER: HQ schema step 19 on PostgreSQL, as SQLite's. The part that owns it replaces this.

/** HQ schema step 19 on PostgreSQL. */
export const PG_MIGRATION_RESTOCK = `SELECT 1;`;
