// docs/protocol.md is meant to be enough to write a client without reading the code, so it must not
// drift from the code silently. This reads the page and holds it to the schemas and constants:
//   - every object table (a heading `Name` followed by a field table) lists exactly the schema's
//     fields, a field marked `name?` being one the schema lets a sender leave out;
//   - every frame, command and event table names each frame/command/event of the protocol, each
//     with every one of its fields;
//   - every row of "Limits" and "Timings" states the number the code holds, in the page's units.
import { Hold, HoldRequest, StyleStockResponse } from '../../shared/holds.ts'; // 4/8 part C
import { ExpectedVisit } from '../../shared/expected.ts'; // 5/8 expected visits
import { AssistKpis, SuggestionMark } from '../../shared/assist.ts'; // 7/8 attribution
import { LiveLottery, LivePoll, LiveQuestion, LiveRoom, LiveSummary, LotteryAudit } from '../../shared/live.ts'; // 6/8 live rooms
// 5/8 groups: the desks' objects and the member API's views
import { AnnouncementReach, Group, GroupInvite, GroupMembership, GroupMessage, InvitePreview, MemberGroupMessage, MemberGroupPage, MemberGroupsResponse, MemberGroupView, ReplyRef } from '../../shared/groups.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type z } from 'zod';
import { DEFAULT_BACKOFF } from '../../electron/desk/backoff.ts';
import { DEFAULT_SILENCE_MS } from '../../electron/desk/link.ts';
import { LOOKUP_TIMEOUT_MS, PROFILE_FRESH_MS } from '../../electron/desk/memberProfiles.ts';
import { ACK_SOON_MS, DEFAULT_ACK_EVERY_MS } from '../../electron/desk/session.ts';
import { FAILURE_WINDOW_MS, MAX_FAILURES, MEMBER_TOKEN_TTL_MS } from '../../hq/app/chat/memberAuth.ts';
import { HISTORY_PAGE_MAX } from '../../hq/app/chat/service.ts';
import { ARRIVAL_EARLIEST, ARRIVAL_MAX_AHEAD_MS, REPEAT_WINDOW_MS } from '../../hq/app/arrivals.ts';
import { IngestMember } from '../../hq/app/catalogIngest.ts';
import { IngestStyle } from '../../hq/app/pictures/catalogPictures.ts';
import { DEFAULT_CODE_TTL_MS } from '../../hq/app/devices.ts';
import { MAX_HITS, MAX_QUERY_CHARS, MIN_QUERY_CHARS } from '../../hq/app/memberLookup.ts';
import { PROFILE_PURCHASES } from '../../hq/app/profiles.ts';
import { MAX_RECOMMENDATIONS } from '../../hq/app/recommend.ts';
import { SNAPSHOT_CHAT_DAYS, SNAPSHOT_CHAT_MESSAGES, SNAPSHOT_DAYS } from '../../hq/app/snapshot.ts';
import { ArrivalRequest, MAX_BATCH_ARRIVALS, MAX_IDEMPOTENCY_KEY, MAX_INGEST_ITEMS } from '../../hq/edge/http/ingest.ts';
import { DEFAULT_RATE_LIMITS } from '../../hq/edge/http/rateLimit.ts';
import { CSV_LIMIT, JSON_LIMIT } from '../../hq/edge/http/respond.ts';
import { CLOSE_TIMINGS } from '../../hq/edge/ws/closeSocket.ts';
import { ClientId, MAX_MEMBER_FRAME_BYTES, MEMBER_SEND_BUFFER_MAX, MemberSendBody } from '../../hq/edge/ws/memberProtocol.ts';
import { HQ_DEFAULTS, RETENTION_PURGE_MS } from '../../hq/server.ts';
import { CLERK_SESSION_MS, ClerkImport, PIN_LOCKOUT_MS, PIN_MAX_FAILURES } from '../../shared/clerks.ts';
import {
  Actor,
  Colorway,
  Id,
  ImageRef,
  MAX_IMAGE_BYTES,
  Member,
  MemberProfile,
  Message,
  Note,
  ProductCard,
  Purchase,
  Reason,
  Receipts,
  Recommendation,
  Sizes,
  StockLine,
  Store,
  Style,
  StyleImageRef,
  Takeover,
  Visit,
} from '../../shared/domain.ts';
import { ENROLL_TIMEOUT_MS } from '../../shared/enrollFailure.ts';
import { CommandData, DeskToHq, EnrollRequest, EnrollResponse, ErrorFrame, EventData, HELLO_TIMEOUT_MS, HqToDesk, MAX_FRAME_BYTES, MemberLookupHit, MemberProfileResponse, MemberSearchResponse, Position, Rejection, SignalFrame, Snapshot } from '../../shared/protocol.ts';
import { RECALL_WINDOW_MS } from '../../shared/limits.ts';
import { StoreSettings } from '../../shared/storeSettings.ts';
import { HistoryPurchase, HistoryVisit, MemberHistory, MemberHistoryResponse, MemberNote } from '../../shared/memberHistory.ts';
import { Task } from '../../shared/tasks.ts';

const page = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const DAY = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Reading the page

interface Table {
  heading: string;
  rows: string[][];
}

/** Every table of the page, with the heading it stands under. */
function tables(): Table[] {
  const out: Table[] = [];
  let heading = '';
  let current: Table | null = null;
  for (const line of page.split('\n')) {
    if (/^#{2,4} /.test(line)) heading = line.replace(/^#+ /, '').trim();
    if (line.startsWith('|')) {
      // Cells split on | not escaped as \|.
      const cells = line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue; // the separator row
      if (!current) {
        current = { heading, rows: [] };
        out.push(current);
        continue; // the header row
      }
      current.rows.push(cells);
    } else current = null;
  }
  return out;
}

const tableUnder = (heading: string | RegExp): Table => {
  const found = tables().filter((t) => (typeof heading === 'string' ? t.heading === heading : heading.test(t.heading)));
  expect(found, `one table under "${String(heading)}"`).toHaveLength(1);
  return found[0]!;
};

/** The name in a first cell like "`name`" or "`name?`". */
const cellName = (cell: string): { name: string; optional: boolean } | null => {
  const m = /^`([\w.]+)(\?)?`$/.exec(cell);
  return m ? { name: m[1]!, optional: m[2] === '?' } : null;
};

/** Backticked names in a cell: "`visit`", "`seq?`", "`kind` `typing`" … */
const mentioned = (text: string): Set<string> => new Set([...text.matchAll(/`(\w+)\??`/g)].map((m) => m[1]!));

// ---------------------------------------------------------------------------------------------
// Reading the schemas

type Def = { type: string; innerType?: z.ZodType; checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number } } }[] };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema inside optional / default / nullable wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let d = defOf(cur); ['optional', 'default', 'nullable', 'prefault'].includes(d.type) && d.innerType; d = defOf(cur)) cur = d.innerType;
  return cur;
}

/** [min, max] length of a string schema (min 0 when it has none). */
function stringRange(s: z.ZodType): number[] {
  const inner = unwrap(s) as unknown as { minLength: number | null; maxLength: number | null };
  expect(inner.maxLength, 'a string schema with a max length').not.toBeNull();
  return [inner.minLength ?? 0, inner.maxLength!];
}

/** [max] or [min, max] items of an array schema. */
function arrayRange(s: z.ZodType): number[] {
  const checks = (defOf(unwrap(s)).checks ?? []).map((c) => c._zod.def);
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  expect(max, 'an array schema with a max length').toBeDefined();
  return min ? [min, max!] : [max!];
}

/** [min, max] of a number schema. */
function numberRange(s: z.ZodType): number[] {
  const inner = unwrap(s) as unknown as { minValue: number | null; maxValue: number | null };
  expect(inner.minValue, 'a number schema with a min').not.toBeNull();
  expect(inner.maxValue, 'a number schema with a max').not.toBeNull();
  return [inner.minValue!, inner.maxValue!];
}

const shapeOf = (s: z.ZodType): Record<string, z.ZodType> => (unwrap(s) as unknown as { shape: Record<string, z.ZodType> }).shape;

/** The longest string `accepts` takes (by bisection). */
function probeMaxLength(accepts: (text: string) => boolean): number {
  let lo = 0;
  let hi = 100_000;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (accepts('x'.repeat(mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Objects

const OBJECTS: Record<string, z.ZodType> = {
  Visit,
  Note,
  Takeover,
  Actor,
  Member,
  Sizes,
  MemberProfile,
  MemberProfileResponse,
  MemberSearchResponse,
  MemberLookupHit,
  Purchase,
  Recommendation,
  Message,
  ProductCard,
  ImageRef,
  Receipts,
  Position,
  Rejection,
  Snapshot,
  EnrollResponse,
  Store,
  StoreSettings,
  Style,
  Colorway,
  StockLine,
  ArrivalRequest,
  IngestMember,
  // 4/8 member page
  MemberHistoryResponse,
  MemberHistory,
  HistoryVisit,
  HistoryPurchase,
  MemberNote,
  Task, // follow-up tasks (part D)
  // 4/8 part C
  Hold,
  HoldRequest,
  StyleStockResponse,
  StyleImageRef, // part E
  IngestStyle, // part E
  // 5/8 groups
  Group,
  GroupMembership,
  GroupMessage,
  GroupInvite,
  AnnouncementReach,
  ReplyRef,
  ExpectedVisit, // 5/8 expected visits
  // 5/8 groups: the member API's views
  MemberGroupView,
  MemberGroupMessage,
  MemberGroupsResponse,
  InvitePreview,
  MemberGroupPage,
  // 6/8 live rooms
  LiveRoom,
  LiveQuestion,
  LivePoll,
  LiveLottery,
  LotteryAudit,
  LiveSummary,
  // 7/8 attribution
  SuggestionMark,
  AssistKpis,
};

describe('docs/protocol.md: objects', () => {
  it.each(Object.keys(OBJECTS))('`%s` lists exactly the schema’s fields', (name) => {
    const table = tableUnder(`\`${name}\``);
    const shape = shapeOf(OBJECTS[name]!);
    const documented = table.rows.map((r) => cellName(r[0]!));
    expect(documented.every(Boolean), `every row of ${name} names a field`).toBe(true);
    expect(documented.map((d) => d!.name).sort()).toEqual(Object.keys(shape).sort());
    for (const d of documented) {
      const type = defOf(shape[d!.name]!).type;
      // `name?`: a sender may leave it out; a plain optional field must be marked so.
      if (d!.optional) expect(['optional', 'default'], `${name}.${d!.name} marked optional`).toContain(type);
      if (type === 'optional') expect(d!.optional, `${name}.${d!.name} is optional: write \`${d!.name}?\``).toBe(true);
    }
  });

  it('`Reason` lists every reason code with its fields', () => {
    const table = tableUnder('`Reason`');
    const options = (Reason as unknown as { options: z.ZodObject[] }).options;
    const byCode = new Map(options.map((o) => [String((o.shape.code as unknown as { value: string }).value), Object.keys(o.shape).filter((k) => k !== 'code')]));
    expect(table.rows.map((r) => cellName(r[0]!)?.name).sort()).toEqual([...byCode.keys()].sort());
    for (const row of table.rows) {
      const fields = byCode.get(cellName(row[0]!)!.name)!;
      expect([...mentioned(row[1]!)].sort(), `fields of reason ${row[0]}`).toEqual(fields.sort());
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Frames, commands, events

const frameShapes = (union: z.ZodType): Map<string, string[]> => {
  const options = (union as unknown as { options: z.ZodType[] }).options;
  const out = new Map<string, string[]>();
  for (const o of options) {
    // The ev frame is itself a union over event types: its fields are the same for each.
    const inner = (o as unknown as { options?: z.ZodType[] }).options?.[0] ?? o;
    const shape = shapeOf(inner);
    const tag = String((shape.t as unknown as { value: string }).value);
    out.set(tag, Object.keys(shape).filter((k) => k !== 't'));
  }
  return out;
};

const dataFields = (s: z.ZodType): string[] => {
  const options = (s as unknown as { options?: z.ZodType[] }).options;
  return [...new Set((options ?? [s]).flatMap((o) => Object.keys(shapeOf(o))))];
};

describe('docs/protocol.md: frames, commands and events', () => {
  const cases: [string, RegExp, Map<string, string[]>, number][] = [
    ['desk → HQ frames', /^Frames, desk → HQ$/, frameShapes(DeskToHq), 1],
    ['HQ → desk frames', /^Frames, HQ → desk$/, frameShapes(HqToDesk), 1],
    ['commands', /^Commands \(/, new Map(Object.entries(CommandData).map(([k, v]) => [k, dataFields(v)])), 1],
    ['events', /^Events \(/, new Map(Object.entries(EventData).map(([k, v]) => [k, dataFields(v)])), 1],
  ];
  it.each(cases)('the %s table names each one with all of its fields', (_what, heading, schema, fieldsColumn) => {
    const table = tableUnder(heading);
    const rows = new Map(table.rows.map((r) => [cellName(r[0]!)?.name ?? r[0]!, r]));
    expect([...rows.keys()].sort()).toEqual([...schema.keys()].sort());
    for (const [name, fields] of schema) {
      const said = mentioned(rows.get(name)!.slice(fieldsColumn).join(' '));
      for (const f of fields) expect(said.has(f), `${name}: field \`${f}\` is not documented`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Limits and timings

const UNITS: Record<string, number> = {
  KiB: 1024,
  MiB: 1024 * 1024,
  ms: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: DAY,
  days: DAY,
};

/** The numbers a cell states, in base units (bytes, ms, counts, characters): "1–64 characters" → [1, 64]. */
export function numbersIn(cell: string): number[] {
  const out: number[] = [];
  for (const m of cell.matchAll(/(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(KiB|MiB|ms|seconds?|s|minutes?|hours?|days?)(?![\w]))?/g)) {
    out.push(Number(m[1]!.replace(/,/g, '')) * (m[2] ? UNITS[m[2]]! : 1));
  }
  return out;
}

const chatText = (() => {
  const desk = stringRange(shapeOf((CommandData['chat.send'] as unknown as { options: z.ZodType[] }).options[0]!).text!);
  const member = stringRange(shapeOf((MemberSendBody as unknown as { options: z.ZodType[] }).options[0]!).text!);
  expect(member).toEqual(desk);
  return desk;
})();

/** What the code holds for each key of the "in the code" column. */
const CODE: Record<string, number[]> = {
  MAX_FRAME_BYTES: [MAX_FRAME_BYTES],
  MAX_MEMBER_FRAME_BYTES: [MAX_MEMBER_FRAME_BYTES],
  JSON_LIMIT: [JSON_LIMIT],
  CSV_LIMIT: [CSV_LIMIT],
  MAX_IMAGE_BYTES: [MAX_IMAGE_BYTES],
  'HQ_DEFAULTS.slowConsumerBytes': [HQ_DEFAULTS.slowConsumerBytes],
  MEMBER_SEND_BUFFER_MAX: [MEMBER_SEND_BUFFER_MAX],
  Id: stringRange(Id),
  'Member.code': stringRange(Member.shape.code),
  'Member.name': stringRange(Member.shape.name),
  'Member.nameEn': stringRange(Member.shape.nameEn),
  'IngestMember.phone': stringRange(IngestMember.shape.phone),
  'ArrivalRequest.phone': stringRange(ArrivalRequest.shape.phone),
  'Store.name': stringRange(Store.shape.name),
  'Store.city': stringRange(Store.shape.city),
  'Style.name': stringRange(Style.shape.name),
  'Colorway.code': stringRange(Colorway.shape.code),
  'Colorway.name': stringRange(Colorway.shape.name),
  'Purchase.color': stringRange(Purchase.shape.color),
  'EnrollRequest.deviceName': stringRange(EnrollRequest.shape.deviceName),
  'EnrollRequest.code': stringRange(EnrollRequest.shape.code),
  'ClerkImport.name': stringRange(ClerkImport.shape.name),
  'CommandData.note.text': stringRange(CommandData.note.shape.text),
  'CommandData.close.note': stringRange(CommandData.close.shape.note),
  'chat text': chatText,
  'Message.body': stringRange(Message.shape.body),
  ClientId: stringRange(ClientId),
  'SignalFrame.data': [0, probeMaxLength((x) => SignalFrame.safeParse({ t: 'signal', kind: 'typing', data: { x } }).success)],
  'Rejection.message': stringRange(Rejection.shape.message),
  'ErrorFrame.message': stringRange(ErrorFrame.shape.message),
  MAX_IDEMPOTENCY_KEY: [1, MAX_IDEMPOTENCY_KEY],
  'Member.preferences': arrayRange(Member.shape.preferences),
  'MemberProfile.purchases': arrayRange(MemberProfile.shape.purchases),
  PROFILE_PURCHASES: [PROFILE_PURCHASES],
  'MemberProfile.recommendations': (() => {
    expect(arrayRange(MemberProfile.shape.recommendations)).toEqual([MAX_RECOMMENDATIONS]);
    return [MAX_RECOMMENDATIONS];
  })(),
  'IngestMember.purchases': arrayRange(IngestMember.shape.purchases),
  'Visit.takeovers': arrayRange(Visit.shape.takeovers),
  'Style.colors': arrayRange(Style.shape.colors),
  'Style.sizes': arrayRange(Style.shape.sizes),
  'ProductCard.colors': arrayRange(ProductCard.shape.colors),
  'ProductCard.sizes': arrayRange(ProductCard.shape.sizes),
  MAX_INGEST_ITEMS: [MAX_INGEST_ITEMS],
  MAX_BATCH_ARRIVALS: [1, MAX_BATCH_ARRIVALS],
  HISTORY_PAGE_MAX: [HISTORY_PAGE_MAX],
  'member search q': [MIN_QUERY_CHARS, MAX_QUERY_CHARS],
  MAX_HITS: [MAX_HITS],
  SNAPSHOT_DAYS: [SNAPSHOT_DAYS * DAY],
  SNAPSHOT_CHAT_DAYS: [SNAPSHOT_CHAT_DAYS * DAY],
  SNAPSHOT_CHAT_MESSAGES: [SNAPSHOT_CHAT_MESSAGES],
  'HQ_DEFAULTS.maxFramesPerSecond': [HQ_DEFAULTS.maxFramesPerSecond, HQ_DEFAULTS.maxFramesPerSecond * HQ_DEFAULTS.frameBurstSeconds],
  'HQ_DEFAULTS.memberFramesPerSecond': [HQ_DEFAULTS.memberFramesPerSecond],
  'DEFAULT_RATE_LIMITS.auth': [DEFAULT_RATE_LIMITS.auth.burst, DEFAULT_RATE_LIMITS.auth.perSecond],
  'DEFAULT_RATE_LIMITS.ingest': [DEFAULT_RATE_LIMITS.ingest.burst, DEFAULT_RATE_LIMITS.ingest.perSecond],
  'member sign-in failures': [MAX_FAILURES, FAILURE_WINDOW_MS],
  'PIN lockout': [PIN_MAX_FAILURES, PIN_LOCKOUT_MS],
  'HQ_DEFAULTS.retainEvents': [HQ_DEFAULTS.retainEvents],
  RETENTION_PURGE_MS: [RETENTION_PURGE_MS],
  REPEAT_WINDOW_MS: [REPEAT_WINDOW_MS],
  'StoreSettings.unservedAfterMin': numberRange(StoreSettings.shape.unservedAfterMin).map((min) => min * 60_000),
  ARRIVAL_MAX_AHEAD_MS: [ARRIVAL_MAX_AHEAD_MS],
  ARRIVAL_EARLIEST: [ARRIVAL_EARLIEST],
  RECALL_WINDOW_MS: [RECALL_WINDOW_MS],
  MEMBER_TOKEN_TTL_MS: [MEMBER_TOKEN_TTL_MS],
  CLERK_SESSION_MS: [CLERK_SESSION_MS],
  DEFAULT_CODE_TTL_MS: [DEFAULT_CODE_TTL_MS],
  // Timings
  'HQ_DEFAULTS.heartbeatMs': [HQ_DEFAULTS.heartbeatMs],
  'HQ_DEFAULTS.headEveryMs': [HQ_DEFAULTS.headEveryMs],
  HELLO_TIMEOUT_MS: [HELLO_TIMEOUT_MS],
  'HQ_DEFAULTS.slowConsumerMs': [HQ_DEFAULTS.slowConsumerMs],
  'CLOSE_TIMINGS.graceMs': [CLOSE_TIMINGS.graceMs],
  'CLOSE_TIMINGS.maxMs': [CLOSE_TIMINGS.maxMs],
  'HQ_DEFAULTS.sweepMs': [HQ_DEFAULTS.sweepMs],
  'HQ_DEFAULTS.presenceTtlMs': [HQ_DEFAULTS.presenceTtlMs],
  'HQ_DEFAULTS.unservedSweepMs': [HQ_DEFAULTS.unservedSweepMs],
  'HQ_DEFAULTS.keepAliveMs': [HQ_DEFAULTS.keepAliveMs],
  DEFAULT_ACK_EVERY_MS: [DEFAULT_ACK_EVERY_MS],
  ACK_SOON_MS: [ACK_SOON_MS],
  DEFAULT_SILENCE_MS: [DEFAULT_SILENCE_MS],
  DEFAULT_BACKOFF: [DEFAULT_BACKOFF.minMs, DEFAULT_BACKOFF.maxMs],
  ENROLL_TIMEOUT_MS: [ENROLL_TIMEOUT_MS],
  PROFILE_FRESH_MS: [PROFILE_FRESH_MS],
  LOOKUP_TIMEOUT_MS: [LOOKUP_TIMEOUT_MS],
};

describe('docs/protocol.md: limits and timings', () => {
  const rows = [...tableUnder('Limits').rows, ...tableUnder('Timings').rows].map((r) => ({ what: r[0]!, value: r[1]!, key: r[2]!.replace(/^`|`$/g, '') }));

  it('reads numbers in the page’s units', () => {
    expect(numbersIn('64 KiB')).toEqual([65_536]);
    expect(numbersIn('1–2000 characters')).toEqual([1, 2000]);
    expect(numbersIn('200 per second sustained, 2,000 at once')).toEqual([200, 2000]);
    expect(numbersIn('0.5 s – 30 s')).toEqual([500, 30_000]);
    expect(numbersIn('5 in 15 minutes')).toEqual([5, 900_000]);
    expect(numbersIn('every 10 s')).toEqual([10_000]);
  });

  it('every row names a number the code holds, and states it', () => {
    for (const row of rows) {
      expect(Object.keys(CODE), `"${row.what}": unknown key ${row.key}`).toContain(row.key);
      expect(numbersIn(row.value), `"${row.what}" (${row.key})`).toEqual(CODE[row.key]);
    }
  });

  it('every number the code holds has its row', () => {
    const keys = new Set(rows.map((r) => r.key));
    for (const key of Object.keys(CODE)) expect(keys.has(key), `no row for ${key}`).toBe(true);
  });

  it('the prose states the same numbers as the table where it repeats them', () => {
    // The sentences a client writer reads first.
    expect(page).toContain(`at most \`MAX_FRAME_BYTES\` = ${MAX_FRAME_BYTES / 1024} KiB each`);
    expect(page).toContain(`\`hello\` must arrive within ${HELLO_TIMEOUT_MS / 1000} s of the upgrade`);
    expect(page).toContain(`every \`heartbeatMs\` (${HQ_DEFAULTS.heartbeatMs / 1000} s by default`);
    expect(page).toContain(`every \`headEveryMs\` (${HQ_DEFAULTS.headEveryMs / 1000} s)`);
    expect(page).toContain(`HQ keeps the newest ${HQ_DEFAULTS.retainEvents.toLocaleString('en')} events per store`);
  });
});
