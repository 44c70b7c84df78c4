// The names that cross into the page: DeskApi's commands (in DeskCommands' order), the desk's events
// and the shell's own events — what the Electron preload exposes and lets through, and what the web
// bridge's client calls. Plain lists apart from deskApi.ts's and bridge.ts's schemas, so the preload
// and the page start without loading the schema library (limits.ts says why). deskApi.ts holds
// DeskCommands to exactly the command names (a name missing there, or one not listed here, fails to
// compile).
import type { DeskEventName } from './deskApi.ts';
import type { ShellEventName } from './bridge.ts';

export const DESK_COMMAND_NAMES = [
  'getIdentity', 'getConnection', 'listArrivals', 'listVisits', 'getVisit', 'getMember',
  'searchMembers', 'searchMembersAtHq', 'claimVisit', 'releaseVisit', 'addNote', 'closeVisit',
  'takeOverVisit', 'markLeft', 'dismissNotice', 'reconnectNow', 'listConversations',
  'getConversation', 'sendMessage', 'retryMessage', 'recallMessage', 'markRead', 'setTyping',
  'getImage', 'getStyleImage', 'signIn', 'signOut', 'lock', 'listClerks', 'currentClerk',
  'managerReport', 'managerTimeline', 'getMemberPage', 'addMemberNote', 'listTasks', 'createTask',
  'completeTask', 'snoozeTask', 'dismissTaskRejection', 'listHolds', 'listHoldRequests',
  'placeHold', 'releaseHold', 'requestHold', 'answerHoldRequest', 'dismissHold', 'getStyleStock',
  'listGroups', 'getGroup', 'listGroupMembers', 'listGroupInvites', 'createGroup', 'updateGroup',
  'setGroupHost', 'closeGroup', 'sendGroupMessage', 'readGroup', 'recallGroupMessage',
  'deleteGroupMessage', 'muteGroupMember', 'removeGroupMember', 'createGroupInvite',
  'revokeGroupInvite', 'getGroupInviteQr', 'listGroupStyles', 'dismissGroupRejection',
  'listLiveRooms', 'getLiveConsole', 'createLiveRoom', 'updateLiveRoom', 'setLiveState', 'pinLive',
  'answerLiveQuestion', 'openLivePoll', 'closeLivePoll', 'drawLiveLottery', 'muteLiveViewer',
  'dismissLiveRejection', 'openLiveStream', 'closeLiveStream', 'sendLiveComment',
  'deleteLiveComment', 'getLiveSummary', 'getLiveQr', 'markSuggestion', 'listSuggestionMarks',
  'checkIn', 'listExpected', 'listRestockMatches', 'actOnRestock', 'listHandovers', 'listCheckins',
  'dismissCheckin', 'getSettings', 'updateSettings', 'enroll', 'getDiagnostics', 'checkForUpdates',
  'installUpdate',
] as const;
export type DeskCommandName = (typeof DESK_COMMAND_NAMES)[number];

export const DESK_EVENT_NAMES: DeskEventName[] = ['connection', 'arrival', 'visits', 'member', 'reset', 'chat', 'chatTyping', 'chatPresence', 'clerk', 'clerks', 'settings', 'tasks', 'holds', 'checkins', 'styleImage', 'expected', 'groups', 'live', 'liveStream', 'restock', 'marks'];

// A record rather than a list, so an event added to ShellEvents (bridge.ts) does not compile until named here.
const SHELL_EVENTS: Record<ShellEventName, true> = { openVisit: true, openSettings: true };
export const SHELL_EVENT_NAMES = Object.keys(SHELL_EVENTS) as ShellEventName[];
