// The names of DeskApi's commands, in DeskCommands' order: what the Electron preload exposes and the
// web bridge's client calls. A plain list apart from deskApi.ts's argument schemas, so the page's
// client starts without loading the schema library (limits.ts says why). deskApi.ts holds
// DeskCommands to exactly these names (a name missing there, or one not listed here, fails to compile).
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
