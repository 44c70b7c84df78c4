// PLACEHOLDER: HQ schema step 18, assisted selling: suggestions shown, marks, sale attributions (7/8 attribution part). The part that owns it replaces this
// file's migration with its tables and adds its ops here.

/** HQ schema step 18 (assisted selling: suggestions shown, marks, sale attributions (7/8 attribution part)). Same tables on PostgreSQL. */
export const MIGRATION_ASSIST = `SELECT 1;`;
