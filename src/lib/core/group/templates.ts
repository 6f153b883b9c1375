/**
 * What a founder picks from when starting a group [APP-5]: kinds of groups (from the product's
 * seed document) and rule templates a group can adopt and later amend by vote.
 */
export const CATEGORIES = {
  'Condition-specific': [
    'Anxiety support',
    'Depression support',
    'PTSD recovery',
    'Addiction recovery',
    'Eating disorders',
    'Bipolar support'
  ],
  'Life situation': [
    'Student mental health',
    'Workplace wellness',
    'Parenting support',
    'LGBTQ+ support',
    'Senior wellness',
    'Grief and loss'
  ],
  'Skill-building': [
    'Mindfulness practice',
    'Cognitive behavioural techniques',
    'Stress management',
    'Communication skills',
    'Self-care practices',
    'Goal setting'
  ]
} as const;

export interface RuleTemplate {
  id: string;
  title: string;
  text: string;
}

export const RULE_TEMPLATES: RuleTemplate[] = [
  {
    id: 'language',
    title: 'Supportive language',
    text: 'We speak kindly and without judgement. We share our own experience ("I found…") rather than telling others what to do.'
  },
  {
    id: 'boundaries',
    title: 'Sharing boundaries',
    text: 'Everyone decides how much they share. Nobody is pressed for details. We may pass at any time.'
  },
  {
    id: 'confidentiality',
    title: 'Confidentiality',
    text: 'What is shared here stays here. We do not repeat names or stories outside the group, and we do not take screenshots.'
  },
  {
    id: 'crisis',
    title: 'What to do in a crisis',
    text: 'We are peers, not a crisis service. If someone may be in danger, we encourage them to call a local helpline or emergency number, and tell a leader.'
  }
];

/** The rules text a set of chosen templates makes, numbered in the order above. */
export function rulesFromTemplates(
  ids: readonly string[],
  extra = '',
  templates: readonly RuleTemplate[] = RULE_TEMPLATES
): string {
  const chosen = templates.filter((t) => ids.includes(t.id));
  const lines = chosen.map((t, i) => `${i + 1}. ${t.title}: ${t.text}`);
  const more = extra.trim();
  if (more) lines.push(`${lines.length + 1}. ${more}`);
  return lines.join('\n');
}
