// PLACEHOLDER: HQ schema step 20 on PostgreSQL, as SQLite's. The part that owns it replaces this.

/** HQ schema step 20 on PostgreSQL. */
export const PG_MIGRATION_HANDOVERS = `SELECT 1;`;
