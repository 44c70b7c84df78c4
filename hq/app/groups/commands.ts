// The group family's desk commands (5/8). Placeholder until the group use cases land: every group
// command is refused, so a desk that sends one is told rather than left waiting.
import { type CmdAckFrame, type GroupCmdFrame } from '../../../shared/protocol.ts';
import { type DeviceRecord } from '../../ports/store.ts';
import { type EventLog } from '../eventLog.ts';

export function applyGroupCommand(_log: EventLog, _device: DeviceRecord, cmd: GroupCmdFrame): Promise<CmdAckFrame> {
  return Promise.resolve({ t: 'cmdAck', opId: cmd.opId, status: 'rejected', rejection: { code: 'invalid', message: 'groups are not served by this HQ yet' } });
}
