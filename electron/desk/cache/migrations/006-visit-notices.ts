// Visit notices: what HQ decided against this desk's action on a visit — a claim another counter
// won, a close it refused, a claim another clerk took over — kept until a clerk dismisses it, so a
// restart (or the next event of the visit) does not make the clerk miss it. The desk's own data,
// like the outbox: a snapshot does not wipe it; erasing the member or purging the visit does.
import { type Migration } from './types.ts';

export const migration006: Migration = {
  version: 6,
  name: 'visit-notices',
  up(db) {
    db.exec(`
      CREATE TABLE visit_notices (
        id        TEXT PRIMARY KEY,  -- the refused op's id, or the event that took the claim away
        visit_id  TEXT NOT NULL,
        at        INTEGER NOT NULL,
        json      TEXT NOT NULL      -- VisitNotice (shared/deskApi.ts)
      );
      CREATE INDEX visit_notices_by_visit ON visit_notices (visit_id, at);
    `);
  },
};
