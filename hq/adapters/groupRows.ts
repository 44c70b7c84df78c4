// Group rows (HQ migration 14, 5/8) as both adapters write and read them back: what goes into the
// columns beside a record's JSON, and what a read adds to it, kept in one place so SQLite and
// PostgreSQL cannot drift apart.
import { CommunitySettings, type Group, type GroupMessage } from '../../shared/groups.ts';

type Row = Record<string, unknown>;

/** The meta key of the chain's community settings (one JSON value for the whole chain). */
export const COMMUNITY_SETTINGS_KEY = 'community_settings';

/** A group's columns as read (alias `g`): its JSON and its active members, counted now — never stored. */
export const GROUP_COLS = `data, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'active') AS member_count`;

/** The group as stored: without the count that is computed on read. */
export function groupData(g: Group): string {
  const { memberCount: _computed, ...rest } = g;
  return JSON.stringify(rest);
}

export const groupFromRow = (r: Row): Group => ({ ...(JSON.parse(r.data as string) as Omit<Group, 'memberCount'>), memberCount: Number(r.member_count) });

/** The columns a message's queries look up, from the message itself. */
export const messageCols = (m: GroupMessage) => ({
  memberId: m.from === 'member' ? m.memberId : null,
  deviceId: m.from === 'host' ? (m.by?.deviceId ?? null) : null,
  forMemberId: m.forMemberId,
  replyToN: m.replyTo?.n ?? null,
});

/** Stored settings read through the schema, so a field added later gets its default. */
export const parseSettings = (raw: string | null | undefined): CommunitySettings => CommunitySettings.parse(raw ? JSON.parse(raw) : {});
