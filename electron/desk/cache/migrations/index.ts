// Every schema step, in order. Append only: a released migration is never edited.
import { migration001 } from './001-initial.ts';
import { migration002 } from './002-member-terms.ts';
import { migration003 } from './003-chat.ts';
import { migration004 } from './004-clerks.ts';
import { migration005 } from './005-member-last-visit.ts';
import { migration006 } from './006-visit-notices.ts';
import { migration007 } from './007-search-folding.ts';
import { migration008 } from './008-checkin.ts';
import { migration009 } from './009-member-history.ts';
import { migration010 } from './010-holds.ts';
import { migration011 } from './011-tasks.ts';
import { migration012 } from './012-pictures.ts';
import { migration013 } from './013-groups.ts';
import { migration014 } from './014-expected.ts'; // 5/8 expected visits
import { migration015 } from './015-live.ts'; // 6/8 live rooms
import { migration016 } from './016-assist-marks.ts'; // 7/8 suggestion marks
import { migration017 } from './017-restock-matches.ts'; // 7/8 restock matches
import { migration018 } from './018-handovers.ts'; // 7/8 the assistant's hand-overs
import { migration019 } from './019-suggested-styles.ts'; // 8/8 a suggestion's catalog part once per style
import { migration020 } from './020-member-terms-listed.ts'; // 8/8 a member's terms listed in its row
import { migration021 } from './021-member-code-key.ts'; // 8/8 a member's code found by prefix from one key
import { type Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013, migration014, migration015, migration016, migration017, migration018, migration019, migration020, migration021];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
export type { Migration };
