// Check-in at the counter (4/8 part A): a member's card code (typed, or read from the member's QR by
// a USB scanner) finds them in the cache at once, so a check-in queued offline shows who it is. A
// code lookup was a scan of every cached member; now it is an index seek. (Pending check-ins
// themselves live in the outbox, like every clerk action: no table of their own.)
import { type Migration } from './types.ts';

export const migration008: Migration = {
  version: 8,
  name: 'checkin',
  up(db) {
    db.exec('CREATE INDEX members_code ON members(code)');
  },
};
