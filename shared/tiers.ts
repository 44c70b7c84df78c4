// The loyalty tiers, lowest first: what `Tier` (domain.ts) accepts and the manager's tier filter
// lists. Apart from the schemas so the page reads the list without loading them (limits.ts says why).
export const TIERS = ['basic', 'silver', 'gold', 'platinum'] as const;
