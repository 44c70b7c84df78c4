// PLACEHOLDER: HQ schema step 19, restock matches (7/8 restock part). The part that owns it replaces this
// file's migration with its tables and adds its ops here.

/** HQ schema step 19 (restock matches (7/8 restock part)). Same tables on PostgreSQL. */
export const MIGRATION_RESTOCK = `SELECT 1;`;
