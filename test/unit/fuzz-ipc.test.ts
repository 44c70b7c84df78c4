// Fuzzing the IPC validators both shells use (electron/host/ipcValidation.ts): every DeskCommands
// argument tuple, sampled from its schema and mutated (wrong types, missing/extra fields, huge and
// odd strings, edge numbers, deep nesting, prototype-pollution keys). Each case is either a clear
// `invalid_argument` or arguments that really match the schema; nothing throws; Object.prototype
// stays clean.
import { describe, expect, it } from 'vitest';
import { DeskCommands } from '../../shared/deskApi.ts';
import { DESK_COMMAND_NAMES } from '../../shared/deskApiNames.ts';
import { validateCommand, validateInvoke } from '../../electron/host/ipcValidation.ts';
import { COMMAND_CHANNEL_PREFIX } from '../../electron/host/ipcChannels.ts';
import { mutate, prototypeIsClean, Prng, validSamples } from '../fuzz/zodFuzz.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const CASES_PER_COMMAND = 60;

describe('IPC validator fuzz', () => {
  it(`every DeskCommands entry × ${CASES_PER_COMMAND} mutated argument lists (seed ${SEED})`, () => {
    const rng = new Prng(SEED);
    let refused = 0;
    let accepted = 0;
    for (const name of DESK_COMMAND_NAMES) {
      const schema = DeskCommands[name];
      const valid = validSamples(schema, rng, [], 10);
      for (const v of valid) expect(validateCommand(name, v).ok, `${name} ${JSON.stringify(v)}`).toBe(true);
      const base = valid.length ? valid : [[]];
      for (let i = 0; i < CASES_PER_COMMAND; i++) {
        const { text, kind } = mutate(rng.pick(base), rng, { hugeBytes: rng.pick([100, 70_000, 1_000_000]) });
        let args: unknown;
        try {
          args = JSON.parse(text);
        } catch {
          args = text; // not JSON: what a page could still pass as one argument
        }
        const out = validateCommand(name, args);
        if (out.ok) {
          accepted++;
          expect(schema.safeParse(out.args).success, `${name}/${kind}`).toBe(true);
        } else {
          refused++;
          expect(out.error.code).toBe('invalid_argument');
          expect(out.error.message.length).toBeLessThan(2000);
        }
      }
    }
    expect(refused).toBeGreaterThan(accepted);
    expect(prototypeIsClean()).toBe(true);
  });

  it('odd command names and channels are refused, never resolved through the prototype chain', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' getIdentity', 'getIdentity\u0000', 'x'.repeat(10_000), 42, null, {}, ['getIdentity']]) {
      const out = validateCommand(name, []);
      expect(out.ok).toBe(false);
      if (typeof name === 'string') expect(validateInvoke(`${COMMAND_CHANNEL_PREFIX}${name}`, []).ok).toBe(false);
    }
    for (const channel of [undefined, 1, 'footfall:cmd', 'footfall:ev:connection', 'ipc:getIdentity']) expect(validateInvoke(channel, []).ok).toBe(false);
  });
});
