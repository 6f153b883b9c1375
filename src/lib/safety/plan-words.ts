import type { PlanSection, SafetyPlan } from '$core/safety/plan';
import { emptyPlan, openPlan, PLAN_SECTIONS } from '$core/safety/plan';
import { app } from '$lib/state/app.svelte';
import { MAX_TEXT } from '$core/governance/settings';
import { m } from '$lib/paraglide/messages.js';

/** The safety plan's section headings in the reader's language [SAFE-15]. */
export const PLAN_TITLES: Record<PlanSection, () => string> = {
  warningSigns: m.plan_warningSigns,
  copingAlone: m.plan_copingAlone,
  distraction: m.plan_distraction,
  askForHelp: m.plan_askForHelp,
  professionals: m.plan_professionals,
  safeEnvironment: m.plan_safeEnvironment,
  reasonsForLiving: m.plan_reasonsForLiving
};

/**
 * A plan as posts for the people it is shared with [SAFE-25]: one post per section that has
 * something in it (heading, then one line per idea), each within a post's size.
 */
export function planPosts(plan: SafetyPlan): string[] {
  return PLAN_SECTIONS.filter((s) => plan[s].length > 0).map((s) => {
    const text = [PLAN_TITLES[s](), ...plan[s].map((line) => `• ${line}`)].join('\n');
    return [...text].length > MAX_TEXT ? `${[...text].slice(0, MAX_TEXT - 1).join('')}…` : text;
  });
}

/**
 * The person's own plan from this phone (sealed with their identity) [SAFE-15]: an empty plan when
 * none was written, 'unreadable' when the stored bytes do not open.
 */
export async function loadMyPlan(secret: Uint8Array): Promise<SafetyPlan | 'unreadable'> {
  const row = await (await app.store()).settings.get(app.personKey('safety-plan'));
  if (!(row?.value instanceof Uint8Array)) return emptyPlan();
  const opened = openPlan(row.value, secret);
  return opened.ok ? opened.value : 'unreadable';
}
