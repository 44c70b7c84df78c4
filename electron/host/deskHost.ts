// The desk host: what both shells (Electron and the web shell) put behind DeskApi. It owns the desk
// core when the desk is enrolled (and none before: the UI then shows the first-run setup screen),
// and answers the shell's own commands itself — settings, enrollment, diagnostics, updates.
//
// Every other DeskApi command is forwarded to the core by name (so a command added to the core is
// carried without touching this file). Before enrollment, the reads the UI makes at start answer
// empty and anything else fails with DeskError('not_allowed', 'not enrolled').
// Plain Node (no `electron` import): the Electron-only parts come in as hooks and capabilities.
import { type ConnectionState, type DeskApi, type DeskCoreApi, DeskError, type DeskEventName, type DeskEvents, type DeskIdentity, SHELL_COMMAND_NAMES } from '../../shared/deskApi.ts';
import { DESK_EVENT_NAMES, DESK_COMMAND_NAMES } from '../../shared/deskApiNames.ts';
import { Emitter } from '../../shared/emitter.ts';
import { type AttentionCounts, type DeskCoreEvents } from '../desk/deskCore.ts';
import { describeIssues, type EnrollResponse } from '../../shared/protocol.ts';
import { type DeskSettings, EnrollArgs, type SettingsPatch, SettingsPatch as SettingsPatchSchema, type SettingsView, type ShellCapabilities, type UpdateStatus } from '../../shared/settings.ts';
import { type DeskConfig, readDeskConfig, storedConfigIsOld, storedTokenBox, writeDeskConfig } from './deskConfig.ts';
import { buildDiagnostics, type DiagnosticsInput } from './diagnostics.ts';
import { type RotatingLog } from './logs.ts';
import { type SecretBox } from './secretBox.ts';
import { applyPatch, loadSettings, saveSettings } from './settingsStore.ts';
import { type UpdateController } from './updater.ts';

/** What the host needs of a desk core: its DeskApi part plus start/stop. */
export type HostedCore = DeskCoreApi & {
  start(): void;
  close(): Promise<void>;
  networkChanged?(online: boolean): void;
  /** Apply a new retention period live (DeskCore.setRetentionDays): purge with it soon. */
  setRetentionDays?(days: number): void;
  /** Waiting arrivals and unread messages now; the core then emits `counts` when they change. */
  counts?(): AttentionCounts;
  onCounts?(listener: (counts: AttentionCounts) => void): () => void;
};

/** What the host says: the DeskApi events, and the counts the tray shows (not part of DeskApi). */
export type HostEvents = DeskCoreEvents;

export interface DeskHostOptions {
  /** Shown in the settings screen and diagnostics. */
  dataDir: string;
  settingsPath: string;
  /** Settings before the file has any (default DEFAULT_SETTINGS; a packaged build: its chain's update channel). */
  defaultSettings?: DeskSettings;
  configPath: string;
  /** The SQLite cache a new enrollment gets. */
  dbPath: string;
  /** Seals the token on write; `openBoxes` may open older files (e.g. a file-key box before safeStorage). */
  sealBox: SecretBox;
  openBoxes?: readonly SecretBox[];
  capabilities: ShellCapabilities;
  appVersion: string;
  versions: DiagnosticsInput['versions'];
  os: DiagnosticsInput['os'];
  log: RotatingLog;
  updates: UpdateController;
  /** Open (not start) a desk core for an enrollment. */
  openCore(config: DeskConfig, settings: DeskSettings): HostedCore;
  /** Exchange an enrollment code at HQ's addresses (electron/desk's enroll; injectable for tests). */
  enroll(hqUrls: readonly string[], code: string, deviceName: string): Promise<EnrollResponse>;
  /** Electron: app.setLoginItemSettings. Absent where unsupported. */
  setStartOnLogin?(on: boolean): void;
  /** Called after settings (or the enrollment) changed, with the new view (tray, updater, sounds…). */
  onSettingsChanged?(view: SettingsView): void;
  now?: () => number;
}

const NOT_ENROLLED_CONNECTION = (now: number): ConnectionState => ({
  status: 'offline',
  queued: 0,
  since: now,
  retryAt: null,
  lastError: 'not enrolled',
  head: 0,
  position: 0,
  storage: { status: 'ok', message: null, since: 0, rebuiltAt: null, outboxLost: false },
});

/** Answers of the reads the UI makes at start, while there is no core. */
const EMPTY_READS: Partial<Record<string, (now: number) => unknown>> = {
  getIdentity: () => null,
  getConnection: (now) => NOT_ENROLLED_CONNECTION(now),
  listArrivals: () => [],
  listVisits: () => [],
  listConversations: () => [],
  listHandovers: () => [], // 7/8 assistant
  listClerks: () => [],
  currentClerk: () => ({ clerk: null, locked: false, verifiedOnline: false, lockAfterMs: 0 }),
  searchMembers: () => [],
  searchMembersAtHq: () => null,
  getVisit: () => null,
  getMember: () => null,
  getMemberPage: () => null, // 4/8 member page
};

export class DeskHost {
  private core: HostedCore | null = null;
  private config: DeskConfig | null = null;
  private settings: DeskSettings;
  /** The host's DeskEvents: the core's, forwarded while one is attached, plus its own (settings, reset on enrollment). */
  private readonly events: Emitter<HostEvents>;
  private coreOffs: Array<() => void> = [];
  private enrolling: Promise<DeskIdentity> | null = null;
  private readonly now: () => number;
  /** DeskApi as the transports see it. */
  readonly api: DeskApi;

  constructor(private readonly opts: DeskHostOptions) {
    this.now = opts.now ?? Date.now;
    this.events = new Emitter<HostEvents>((event, error) => opts.log.write('warn', `'${event}' listener threw`, { error: (error as Error).message }));
    this.settings = loadSettings(opts.settingsPath, opts.defaultSettings);
    this.api = this.buildApi();
  }

  /** Open the enrolled desk, if any. Call once. */
  start(): void {
    const config = readDeskConfig(this.opts.configPath, [this.opts.sealBox, ...(this.opts.openBoxes ?? [])]);
    if (config) {
      // An older file — the token in plain text (or under another box), or one HQ address — is
      // rewritten now: sealed with our box, the address as a list of one.
      if (storedTokenBox(this.opts.configPath) !== this.opts.sealBox.kind || storedConfigIsOld(this.opts.configPath)) writeDeskConfig(this.opts.configPath, config, this.opts.sealBox);
      this.attach(config);
    }
    this.opts.updates.configure(this.updateBase(), this.settings.updateChannel);
    this.opts.log.write('info', 'desk host started', { enrolled: config !== null, shell: this.opts.capabilities.shell, version: this.opts.appVersion });
  }

  /** The running desk core (null before enrollment). */
  get desk(): HostedCore | null {
    return this.core;
  }

  get identity(): DeskConfig | null {
    return this.config;
  }

  currentSettings(): DeskSettings {
    return this.settings;
  }

  view(): SettingsView {
    return { settings: this.settings, capabilities: this.opts.capabilities, update: this.opts.updates.status(), enrolled: this.core !== null, dataDir: this.opts.dataDir };
  }

  /** Push the settings view to the UI (e.g. after the updater's state changed). */
  publishSettings(): void {
    const view = this.view();
    this.events.emit('settings', view);
    this.opts.onSettingsChanged?.(view);
  }

  on<E extends keyof HostEvents>(event: E, listener: (payload: HostEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Waiting arrivals and unread messages, as the core keeps them (zero before enrollment). */
  counts(): AttentionCounts {
    try {
      return this.core?.counts?.() ?? { waiting: 0, unread: 0, requests: 0 };
    } catch {
      return { waiting: 0, unread: 0, requests: 0 }; // a core that is closing
    }
  }

  async close(): Promise<void> {
    const core = this.core;
    this.core = null;
    this.coreOffs.forEach((off) => off());
    this.coreOffs = [];
    if (core) await core.close();
  }

  // --- the shell's commands -------------------------------------------------------------------

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) throw new DeskError('invalid_argument', `updateSettings: ${describeIssues(parsed.error)}`);
    if (parsed.data.startOnLogin !== undefined && !this.opts.setStartOnLogin && parsed.data.startOnLogin) {
      throw new DeskError('not_allowed', 'start on login is not supported by this shell');
    }
    const before = this.settings;
    const next = applyPatch(before, parsed.data);
    try {
      saveSettings(this.opts.settingsPath, next);
    } catch (error) {
      throw new DeskError('storage', `could not save the settings: ${(error as Error).message}`);
    }
    this.settings = next;
    if (next.startOnLogin !== before.startOnLogin) this.opts.setStartOnLogin?.(next.startOnLogin);
    if (next.updateChannel !== before.updateChannel) this.opts.updates.configure(this.updateBase(), next.updateChannel);
    if (next.retentionDays !== before.retentionDays && this.core?.setRetentionDays) {
      try {
        this.core.setRetentionDays(next.retentionDays);
      } catch (error) {
        // Saved anyway: the core opens with it on the next start.
        this.opts.log.write('warn', 'could not apply the retention period now', { error: (error as Error).message });
      }
    }
    const changed = Object.keys(parsed.data).filter((k) => JSON.stringify((before as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k]));
    this.opts.log.write('info', 'settings changed', { keys: changed });
    this.publishSettings();
    return this.view();
  }

  /** `hqUrlsIn`: HQ's addresses, a list or one comma-separated string (shared/settings.ts HqUrls). */
  async enroll(hqUrlsIn: string | readonly string[], codeIn: string, deviceNameIn: string): Promise<DeskIdentity> {
    const parsed = EnrollArgs.safeParse([hqUrlsIn, codeIn, deviceNameIn]);
    if (!parsed.success) throw new DeskError('invalid_argument', `enroll: ${describeIssues(parsed.error)}`);
    if (this.core) throw new DeskError('not_allowed', 'this desk is already enrolled');
    if (this.enrolling) return this.enrolling;
    const [hqUrls, code, deviceName] = parsed.data;
    this.enrolling = (async () => {
      const answer = await this.opts.enroll(hqUrls, code, deviceName);
      const config: DeskConfig = { hqUrls, token: answer.token, deviceId: answer.deviceId, deviceName, storeId: answer.storeId, storeName: answer.storeName, dbPath: this.opts.dbPath, demo: false };
      writeDeskConfig(this.opts.configPath, config, this.opts.sealBox);
      this.settings = { ...this.settings, hqUrls };
      saveSettings(this.opts.settingsPath, this.settings);
      this.attach(config);
      this.opts.updates.configure(this.updateBase(), this.settings.updateChannel);
      this.opts.log.write('info', 'enrolled', { storeId: answer.storeId, deviceId: answer.deviceId });
      this.events.emit('reset', { at: this.now() });
      this.publishSettings();
      return this.identityOf(config);
    })();
    try {
      return await this.enrolling;
    } catch (error) {
      this.opts.log.write('warn', 'enrollment failed', { error: (error as Error).message });
      throw error;
    } finally {
      this.enrolling = null;
    }
  }

  async diagnostics(): Promise<string> {
    const core = this.core;
    const connection = core ? await core.getConnection().catch(() => null) : null;
    return buildDiagnostics({
      appVersion: this.opts.appVersion,
      shell: this.opts.capabilities.shell,
      versions: this.opts.versions,
      os: this.opts.os,
      identity: this.config ? this.identityOf(this.config) : null,
      connection,
      settings: this.settings,
      update: this.opts.updates.status(),
      logLines: this.opts.log.recent(200),
      now: this.now(),
    });
  }

  // --- internals ------------------------------------------------------------------------------

  private identityOf(config: DeskConfig): DeskIdentity {
    return { storeId: config.storeId, storeName: config.storeName, deviceId: config.deviceId, deviceName: config.deviceName, hqUrls: [...config.hqUrls] };
  }

  /**
   * The HQ address the update feed is read from: the first one. electron-updater reads one feed
   * URL; every node serves the same updates folder, and a failed check is simply tried again later.
   */
  private updateBase(): string {
    return this.settings.hqUrls[0] ?? this.config?.hqUrls[0] ?? '';
  }

  private attach(config: DeskConfig): void {
    const core = this.opts.openCore(config, this.settings);
    this.core = core;
    this.config = config;
    if (this.settings.hqUrls.length === 0) this.settings = { ...this.settings, hqUrls: [...config.hqUrls] };
    // The host answers 'settings' itself; everything else the core says is passed on as it is.
    this.coreOffs = DESK_EVENT_NAMES.filter((e) => e !== 'settings').map((event) => this.forward(core, event));
    // The counts the tray shows come from the core as it changes them, not from rebuilding views.
    if (core.onCounts) this.coreOffs.push(core.onCounts((c) => this.events.emit('counts', c)));
    core.start();
    if (core.counts) this.events.emit('counts', this.counts());
  }

  private forward<E extends DeskEventName>(core: HostedCore, event: E): () => void {
    return core.on(event, (payload) => this.events.emit(event, payload as HostEvents[E]));
  }

  private buildApi(): DeskApi {
    const api: Record<string, unknown> = {};
    const shell: Record<string, (...args: never[]) => Promise<unknown>> = {
      getSettings: async () => this.view(),
      updateSettings: (patch: SettingsPatch) => this.updateSettings(patch),
      enroll: (hqUrls: string | readonly string[], code: string, deviceName: string) => this.enroll(hqUrls, code, deviceName),
      getDiagnostics: () => this.diagnostics(),
      checkForUpdates: async (): Promise<UpdateStatus> => {
        const status = await this.opts.updates.checkNow();
        this.publishSettings();
        return status;
      },
      installUpdate: async () => this.opts.updates.install(),
    };
    const shellNames: ReadonlySet<string> = new Set(SHELL_COMMAND_NAMES);
    for (const name of DESK_COMMAND_NAMES) {
      if (shellNames.has(name)) {
        api[name] = shell[name];
        continue;
      }
      api[name] = async (...args: unknown[]) => {
        const core = this.core as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> | null;
        if (!core) {
          const empty = EMPTY_READS[name];
          if (empty) return empty(this.now());
          throw new DeskError('not_allowed', 'not enrolled: set up this desk first');
        }
        return core[name]!.apply(core, args);
      };
    }
    api.on = <E extends DeskEventName>(event: E, listener: (payload: DeskEvents[E]) => void) => this.on(event, listener);
    return api as unknown as DeskApi;
  }
}
