// Whose a claimed visit is, as this counter sees it: a claim belongs to the clerk who made it, so
// after "Switch clerk" the previous clerk's visits are "With 王芳", not "With you" (shared holdsClaim,
// the rule HQ applies).
import type { VisitView } from '../../../shared/deskApi.ts';
import { holdsClaim } from '../../../shared/actors.ts';
import { useClerk, useDesk } from '../state/StoresProvider.tsx';

/** The visit is claimed by the clerk signed in here (or, for a claim made without a clerk, by this counter). */
export function useHeldHere(visit: VisitView | null): boolean {
  const deviceId = useDesk((s) => s.identity?.deviceId);
  const clerkId = useClerk((s) => s.state?.clerk?.id);
  return !!visit && !!deviceId && visit.status === 'claimed' && holdsClaim(visit.claimedBy, { deviceId, clerkId });
}
