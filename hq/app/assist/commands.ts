// The assisted-selling family's desk commands (7/8): a clerk marks a suggestion of a visit
// (`suggest.mark`, marks.ts) or records what they did about a member of a restock match
// (`restock.done`, restockMatches.ts). Each runs through runDeskCommand — exactly once per (device,
// opId), under the store's lock, its change and its event in one transaction of the store's log.
import { type AssistCmdFrame, type CmdAckFrame } from '../../../shared/protocol.ts';
import { type DeviceRecord } from '../../ports/store.ts';
import { runDeskCommand } from '../deskCommand.ts';
import { type EventLog } from '../eventLog.ts';
import { executeMark } from './marks.ts';
import { executeRestockDone } from './restockMatches.ts';

export function applyAssistCommand(log: EventLog, device: DeviceRecord, cmd: AssistCmdFrame, now: number = Date.now()): Promise<CmdAckFrame> {
  return runDeskCommand(log, device, cmd, now, (tx, append, actor) => {
    switch (cmd.type) {
      case 'suggest.mark':
        return executeMark(tx, append, device.storeId, actor, cmd.data, cmd.opId, now);
      case 'restock.done':
        return executeRestockDone(tx, append, device.storeId, actor, cmd.data, cmd.opId, now);
    }
  });
}
