import { CATEGORIES, templatesFor, type RuleTemplate } from '$core/group/templates';
import { m } from '$lib/paraglide/messages.js';

/**
 * The founder's choices in the founder's language [APP-5, I18N-1]: the chosen words are sealed
 * into the group as written, so a Spanish-speaking group starts with Spanish rules.
 */
const GROUPS: Record<keyof typeof CATEGORIES, () => string> = {
  'Condition-specific': m.cat_condition,
  'Life situation': m.cat_life,
  'Skill-building': m.cat_skill
};
const ITEMS: Record<(typeof CATEGORIES)[keyof typeof CATEGORIES][number], () => string> = {
  'Anxiety support': m.cat_anxiety,
  'Depression support': m.cat_depression,
  'PTSD recovery': m.cat_ptsd,
  'Addiction recovery': m.cat_addiction,
  'Eating disorders': m.cat_eating,
  'Bipolar support': m.cat_bipolar,
  'Student mental health': m.cat_student,
  'Workplace wellness': m.cat_workplace,
  'Parenting support': m.cat_parenting,
  'LGBTQ+ support': m.cat_lgbtq,
  'Senior wellness': m.cat_senior,
  'Grief and loss': m.cat_grief,
  'Mindfulness practice': m.cat_mindfulness,
  'Cognitive behavioural techniques': m.cat_cbt,
  'Stress management': m.cat_stress,
  'Communication skills': m.cat_communication,
  'Self-care practices': m.cat_selfcare,
  'Goal setting': m.cat_goals
};

export function localCategories(): { group: string; items: string[] }[] {
  return (Object.entries(CATEGORIES) as [keyof typeof CATEGORIES, readonly string[]][]).map(
    ([group, items]) => ({
      group: GROUPS[group](),
      items: items.map((i) => ITEMS[i as keyof typeof ITEMS]())
    })
  );
}

const RULES: Record<string, { title: () => string; text: () => string }> = {
  language: { title: m.rule_language_title, text: m.rule_language_text },
  boundaries: { title: m.rule_boundaries_title, text: m.rule_boundaries_text },
  confidentiality: { title: m.rule_confidentiality_title, text: m.rule_confidentiality_text },
  crisis: { title: m.rule_crisis_title, text: m.rule_crisis_text },
  ed_numbers: { title: m.rule_ed_numbers_title, text: m.rule_ed_numbers_text },
  ed_advice: { title: m.rule_ed_advice_title, text: m.rule_ed_advice_text },
  add_use: { title: m.rule_add_use_title, text: m.rule_add_use_text },
  add_slips: { title: m.rule_add_slips_title, text: m.rule_add_slips_text },
  grief_time: { title: m.rule_grief_time_title, text: m.rule_grief_time_text },
  grief_dates: { title: m.rule_grief_dates_title, text: m.rule_grief_dates_text },
  trauma_cw: { title: m.rule_trauma_cw_title, text: m.rule_trauma_cw_text },
  trauma_ask: { title: m.rule_trauma_ask_title, text: m.rule_trauma_ask_text },
  trauma_pause: { title: m.rule_trauma_pause_title, text: m.rule_trauma_pause_text }
};

/** The kind of group (its name in CATEGORIES) a category chosen in the reader's words is. */
function kindOf(category: string): string | undefined {
  return (Object.keys(ITEMS) as (keyof typeof ITEMS)[]).find((k) => ITEMS[k]() === category);
}

/** The rule templates for a kind of group, in the reader's words [APP-5]. */
export function localRuleTemplates(category = ''): RuleTemplate[] {
  return templatesFor(kindOf(category)).map((t) => {
    const words = RULES[t.id];
    return words ? { id: t.id, title: words.title(), text: words.text() } : t;
  });
}
