// Desk settings: what the clerk or the store's IT can change at the counter, the first-run
// enrollment, diagnostics and updates. One zod schema here is the truth for both shells (Electron
// and the web shell persist the same JSON) and for the UI's form validation (the page loads this
// module when a form is sent; what it needs at start is in settingsRules.ts).
import { z } from 'zod';
import { SOUNDS, UPDATE_CHANNEL_PATTERN } from './settingsRules.ts'; // the page reads these without the schemas

/** An HQ address: http(s) only, no credentials, no query or fragment. */
export const HqUrl = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'an http:// or https:// address without user, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

/** More addresses than this is a typo (a pasted log line), not a chain's HQ. */
export const MAX_HQ_URLS = 16;

/**
 * Several addresses of one HQ — its nodes, or a load balancer under several names — as typed
 * ("https://a, https://b"), or already a list: split on commas, trimmed, empty parts dropped.
 */
export function splitHqUrls(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? input.split(',') : input.flatMap((s) => s.split(','));
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

/** What is wrong with a list of HQ addresses, naming the first bad one so the setup screen can say which. */
export type HqUrlsProblem = { problem: 'empty' } | { problem: 'invalid'; address: string } | { problem: 'too_many'; max: number };

/** Each address checked with HqUrl (URL-parsed, http/https only); normalised and de-duplicated in order. */
export function checkHqUrls(input: string | readonly string[]): { ok: true; urls: string[] } | ({ ok: false } & HqUrlsProblem) {
  const parts = splitHqUrls(input);
  if (parts.length === 0) return { ok: false, problem: 'empty' };
  const urls: string[] = [];
  for (const part of parts) {
    const one = HqUrl.safeParse(part);
    if (!one.success) return { ok: false, problem: 'invalid', address: part };
    if (!urls.includes(one.data)) urls.push(one.data);
  }
  if (urls.length > MAX_HQ_URLS) return { ok: false, problem: 'too_many', max: MAX_HQ_URLS };
  return { ok: true, urls };
}

/** A list of HQ addresses (see checkHqUrls), from "a,b,c" or an array; the output is always a non-empty array. */
export const HqUrls = z.union([z.string().max(MAX_HQ_URLS * 301), z.array(z.string().max(300)).max(MAX_HQ_URLS)]).transform((value, ctx) => {
  const checked = checkHqUrls(value);
  if (checked.ok) return checked.urls;
  const message =
    checked.problem === 'empty'
      ? 'at least one HQ address'
      : checked.problem === 'too_many'
        ? `at most ${checked.max} HQ addresses`
        : `"${checked.address}" is not an http:// or https:// address without user, query or fragment`;
  ctx.issues.push({ code: 'custom', message, input: value });
  return z.NEVER;
});

/** A one-time enrollment code as HQ makes them: letters, digits and dashes (6–64). */
export const EnrollCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{6,64}$/, 'letters, digits and dashes, 6 to 64 characters');
export const DeviceName = z.string().trim().min(1).max(60);

/** Update channel: one per chain (and stage), e.g. "acme-stable"; it names a folder on HQ. */
export const UpdateChannel = z.string().regex(UPDATE_CHANNEL_PATTERN, 'lowercase letters, digits and dashes');

/** "HH:MM", 24 h. */
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const DeskSettings = z
  .object({
    /**
     * The addresses of the HQ this desk talks to (its nodes; empty before enrollment). Changing HQ
     * needs a new enrollment (the token is per HQ); older files with one `hqUrl` are read by migrateSettings.
     */
    hqUrls: z.array(HqUrl).max(MAX_HQ_URLS).default([]),
    /** UI language; 'system' follows the OS / browser. */
    language: z.enum(['system', 'en', 'zh-CN']).default('system'),
    /** Native notifications for arrivals and chat messages. */
    notifications: z.boolean().default(true),
    sound: z.enum(SOUNDS).default('chime'),
    /** 0–100. */
    volume: z.number().int().min(0).max(100).default(70),
    /** Quiet hours: no sound and no native notification in this window (the queue still fills). */
    quietHours: z
      .object({ enabled: z.boolean(), from: ClockTime, to: ClockTime })
      .strict()
      .default({ enabled: false, from: '22:00', to: '08:00' }),
    /** Start the desk when the user logs in to the PC (Electron only). */
    startOnLogin: z.boolean().default(false),
    /** Days of closed visits and chat the desk keeps locally. */
    retentionDays: z.number().int().min(1).max(365).default(30),
    updateChannel: UpdateChannel.default('stable'),
  })
  .strict();
export type DeskSettings = z.infer<typeof DeskSettings>;

export const DEFAULT_SETTINGS: DeskSettings = DeskSettings.parse({});

/**
 * A settings file as an older desk wrote it, brought to the current shape before validation: one
 * address (`hqUrl`, '' before enrollment) becomes a list of one. Anything else is returned as is.
 */
export function migrateSettings(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data) || !('hqUrl' in data)) return data;
  const { hqUrl, ...rest } = data as Record<string, unknown>;
  if ('hqUrls' in rest) return rest;
  return { ...rest, hqUrls: typeof hqUrl === 'string' && hqUrl !== '' ? [hqUrl] : [] };
}

/**
 * The chain's update channel a packaged build carries: package.json `footfall.updateChannel`,
 * written by electron-builder (build/electron-builder.config.cjs, extraMetadata) from
 * build/update-channels.json. Null when absent or not a valid channel (a dev checkout).
 */
export function buildUpdateChannel(packageJson: unknown): string | null {
  if (!packageJson || typeof packageJson !== 'object') return null;
  const footfall = (packageJson as { footfall?: unknown }).footfall;
  if (!footfall || typeof footfall !== 'object') return null;
  const parsed = UpdateChannel.safeParse((footfall as { updateChannel?: unknown }).updateChannel);
  return parsed.success ? parsed.data : null;
}

/** This build's defaults: DEFAULT_SETTINGS, with the build's chain channel when it names one. */
export function defaultSettingsFor(packageJson: unknown): DeskSettings {
  const channel = buildUpdateChannel(packageJson);
  return channel ? { ...DEFAULT_SETTINGS, updateChannel: channel } : { ...DEFAULT_SETTINGS };
}

/** A change to some settings (the HQ addresses are changed by enrolling again, not here). */
export const SettingsPatch = z
  .object({
    language: z.enum(['system', 'en', 'zh-CN']).optional(),
    notifications: z.boolean().optional(),
    sound: z.enum(SOUNDS).optional(),
    volume: z.number().int().min(0).max(100).optional(),
    quietHours: z.object({ enabled: z.boolean(), from: ClockTime, to: ClockTime }).strict().optional(),
    startOnLogin: z.boolean().optional(),
    retentionDays: z.number().int().min(1).max(365).optional(),
    updateChannel: UpdateChannel.optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** enroll(hqUrls, code, deviceName): the addresses as a list or one comma-separated string. */
export const EnrollArgs = z.tuple([HqUrls, EnrollCode, DeviceName]);

/** What this shell can do: the web shell cannot start on login or update itself. */
export interface ShellCapabilities {
  shell: 'electron' | 'web';
  startOnLogin: boolean;
  autoUpdate: boolean;
  nativeNotifications: boolean;
}

export interface UpdateStatus {
  /** Running version (package.json). */
  currentVersion: string;
  channel: string;
  /** Where updates come from: <hqUrl>/updates/<channel>/, or null when not configured. */
  feedUrl: string | null;
  /** idle · checking · available · downloading · downloaded (restart to install) · none · error · unsupported */
  state: 'idle' | 'checking' | 'available' | 'downloading' | 'downloaded' | 'none' | 'error' | 'unsupported';
  /** Version offered by the feed, when one is. */
  availableVersion: string | null;
  lastCheckAt: number | null;
  error: string | null;
}

export interface SettingsView {
  settings: DeskSettings;
  capabilities: ShellCapabilities;
  update: UpdateStatus;
  enrolled: boolean;
  /** Where the desk keeps its files (settings, cache, logs), for the support line. */
  dataDir: string;
}

/** The feed URL electron-updater's generic provider reads latest*.yml from. */
export function updateFeedUrl(hqUrl: string, channel: string): string | null {
  if (!hqUrl) return null;
  return `${hqUrl.replace(/\/+$/, '')}/updates/${encodeURIComponent(channel)}/`;
}
