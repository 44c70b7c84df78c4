// PLACEHOLDER: HQ schema step 20, the assistant's hand-overs (7/8 assistant part). The part that owns it replaces this
// file's migration with its tables and adds its ops here.

/** HQ schema step 20 (the assistant's hand-overs (7/8 assistant part)). Same tables on PostgreSQL. */
export const MIGRATION_HANDOVERS = `SELECT 1;`;
