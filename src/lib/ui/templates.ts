import { CATEGORIES, RULE_TEMPLATES, type RuleTemplate } from '$core/group/templates';
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
  crisis: { title: m.rule_crisis_title, text: m.rule_crisis_text }
};

export function localRuleTemplates(): RuleTemplate[] {
  return RULE_TEMPLATES.map((t) => {
    const words = RULES[t.id];
    return words ? { id: t.id, title: words.title(), text: words.text() } : t;
  });
}
