// Who did something, as the desks and HQ tell it from an `Actor` (domain.ts): whether a clerk holds
// a claim, and the two actors that are not a desk — a member acting for themselves and the
// member-side assistant. Apart from the schemas so the page reads them without loading them
// (limits.ts says why).
import type { Actor } from './domain.ts';

/**
 * Whether `actor` holds a claim made by `holder`. A claim belongs to the clerk who made it: the same
 * device and the same clerk. A claim recorded without a clerk (before clerk sign-in existed, or by a
 * desk nobody was signed in at) belongs to its device.
 */
export function holdsClaim(holder: Actor | null | undefined, actor: Pick<Actor, 'deviceId' | 'clerkId'>): boolean {
  if (!holder || holder.deviceId !== actor.deviceId) return false;
  return holder.clerkId === undefined || holder.clerkId === actor.clerkId;
}

/** The actor of a member's own action (a member-made hold): not a desk. */
export const MEMBER_ACTOR: Actor = { deviceId: 'member', deviceName: 'member' };

/**
 * The actor of the assistant's replies in a member's chat: messages from the store (`from: 'clerk'`)
 * whose `by.deviceId` is this id are the assistant's (no device is ever given this id: HQ's device
 * ids are random UUIDs).
 */
export const ASSISTANT_DEVICE_ID = 'footfall-assistant';
export const ASSISTANT_ACTOR: Actor = { deviceId: ASSISTANT_DEVICE_ID, deviceName: 'Assistant' };
export const isAssistantActor = (by: Actor | null | undefined): boolean => by?.deviceId === ASSISTANT_DEVICE_ID;
