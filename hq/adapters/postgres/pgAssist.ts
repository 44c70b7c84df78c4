// PLACEHOLDER: HQ schema step 18 on PostgreSQL, as SQLite's. The part that owns it replaces this.

/** HQ schema step 18 on PostgreSQL. */
export const PG_MIGRATION_ASSIST = `SELECT 1;`;
