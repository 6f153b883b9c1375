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

type Kind = (typeof CATEGORIES)[keyof typeof CATEGORIES][number];

/**
 * Rules some kinds of groups need for their members' safety [APP-5], offered (and ticked) next to
 * the general ones when the founder picks the kind: numbers and diet talk that harm people with an
 * eating disorder, details of using and shame after a slip in recovery, a timetable for grief,
 * questions and graphic details that retraumatise.
 */
export const KIND_RULE_TEMPLATES: Partial<Record<Kind, RuleTemplate[]>> = {
  'Eating disorders': [
    {
      id: 'ed_numbers',
      title: 'No numbers',
      text: 'We do not share weights, calories, sizes or numbers of any kind about food or bodies. We talk about how we feel, not what we ate.'
    },
    {
      id: 'ed_advice',
      title: 'No diet or exercise advice',
      text: "We do not give diet, fasting or exercise tips, and we do not compare bodies, our own or anyone else's."
    }
  ],
  'Addiction recovery': [
    {
      id: 'add_use',
      title: 'No details of using',
      text: 'We do not describe in detail how, where or what we used, and we never help anyone get alcohol or drugs.'
    },
    {
      id: 'add_slips',
      title: 'A slip meets support',
      text: 'A slip or relapse is met with care, not shame or lectures. Nobody has to share a count of days.'
    }
  ],
  'Grief and loss': [
    {
      id: 'grief_time',
      title: 'No timetable for grief',
      text: 'Nobody is told how long to grieve or how to feel. We avoid "at least…" and "everything happens for a reason".'
    },
    {
      id: 'grief_dates',
      title: 'Hard days',
      text: 'Anniversaries, birthdays and holidays can be hard. Anyone may ask the group for company on those days.'
    }
  ],
  'PTSD recovery': [
    {
      id: 'trauma_cw',
      title: 'Warnings before details',
      text: 'We add a content warning before writing about anything traumatic, and we leave out graphic details.'
    },
    {
      id: 'trauma_ask',
      title: 'Nobody is asked what happened',
      text: "We do not ask for the story behind anyone's trauma. Each person shares only what they choose."
    },
    {
      id: 'trauma_pause',
      title: 'Pausing is fine',
      text: 'Anyone may step away, pause or ground themselves at any time. We offer grounding, never pressure.'
    }
  ]
};

/** The templates offered for a kind of group (by its name in CATEGORIES): general ones first. */
export function templatesFor(kind: string | undefined): RuleTemplate[] {
  // Own keys only: a category read from a group is anyone's text ("constructor", "__proto__").
  const own = kind !== undefined && Object.hasOwn(KIND_RULE_TEMPLATES, kind);
  return [...RULE_TEMPLATES, ...(own ? (KIND_RULE_TEMPLATES[kind as Kind] ?? []) : [])];
}

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
