// The live room family's desk commands (6/8). Placeholder until the live use cases land: every live
// command is refused, so a desk that sends one is told rather than left waiting.
import { type CmdAckFrame, type LiveCmdFrame } from '../../../shared/protocol.ts';
import { type DeviceRecord } from '../../ports/store.ts';
import { type EventLog } from '../eventLog.ts';

export function applyLiveCommand(_log: EventLog, _device: DeviceRecord, cmd: LiveCmdFrame, _now: number = Date.now()): Promise<CmdAckFrame> {
  return Promise.resolve({ t: 'cmdAck', opId: cmd.opId, status: 'rejected', rejection: { code: 'invalid', message: 'live rooms are not served by this HQ yet' } });
}
