import {
  MODERATION_ACTS,
  PROPOSAL_KINDS,
  REPORT_REASONS,
  TIERS,
  type ResearchTable
} from '../governance/types';
import { ACTIVITIES } from './dataset';

/**
 * What every exported column means [RES-8]: one source for the machine-readable schema shipped in
 * each export (`schema.json`) and for `docs/research-data-dictionary.md` (a test keeps the two
 * equal).
 */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** Allowed values, where the column is a code. */
  values?: readonly string[];
  /** May be empty (CSV) / null (JSON Lines). */
  nullable?: boolean;
  /** A quasi-identifier: generalized together with the others for k-anonymity. */
  quasiIdentifier?: boolean;
  description: string;
}

export interface TableSchema {
  name: Exclude<ResearchTable, 'document'>;
  description: string;
  /** Released with noise (differential privacy), not row by row. */
  aggregate: boolean;
  columns: Column[];
}

export const SCHEMA_VERSION = 1;

const DATE =
  'Start (UTC) of the time bucket, YYYY-MM-DD; the bucket size is the manifest\'s `timeGrain`; "*" when the export keeps no times.';

export const TABLES: TableSchema[] = [
  {
    name: 'proposals',
    description:
      'One row per proposal the group voted on. A proposal is a group decision: it is listed whoever proposed it, without its author or its words.',
    aggregate: false,
    columns: [
      {
        name: 'proposal',
        type: 'string',
        description:
          'Pseudonym of the proposal (this export only); the same in `ballots` and `document.json`.'
      },
      {
        name: 'kind',
        type: 'string',
        values: PROPOSAL_KINDS,
        description: 'What the proposal was about.'
      },
      { name: 'opened', type: 'date', description: `When voting opened. ${DATE}` },
      { name: 'deadline', type: 'date', description: `When voting was due to end. ${DATE}` },
      {
        name: 'closed',
        type: 'date',
        nullable: true,
        description: `When the vote was closed; empty while voting. ${DATE}`
      },
      {
        name: 'status',
        type: 'string',
        values: ['voting', 'passed', 'failed'],
        description: 'Outcome.'
      },
      {
        name: 'execution',
        type: 'string',
        nullable: true,
        description:
          'What the passed proposal did, as a code (e.g. `admitted`, `tier`, `rules`); empty unless passed.'
      },
      {
        name: 'electorate',
        type: 'integer',
        description:
          'Exported members who could vote on it (members not in the export are not counted).'
      },
      { name: 'ballots', type: 'integer', description: 'Exported members who voted.' },
      {
        name: 'participation',
        type: 'number',
        nullable: true,
        description: '`ballots / electorate`, two decimals; empty when the electorate is 0.'
      }
    ]
  },
  {
    name: 'ballots',
    description: "One row per exported member's last ballot on a proposal.",
    aggregate: false,
    columns: [
      {
        name: 'proposal',
        type: 'string',
        description: 'Pseudonym of the proposal (see `proposals`).'
      },
      { name: 'member', type: 'string', description: 'Pseudonym of the voter (this export only).' },
      {
        name: 'choice',
        type: 'string',
        values: ['yes', 'no', 'abstain'],
        description: 'The vote. Under consent decision-making, `no` is an objection.'
      },
      { name: 'time', type: 'date', description: `When the ballot was cast. ${DATE}` }
    ]
  },
  {
    name: 'memberships',
    description:
      'Membership spells: one row per exported member per tier they held, in order. The first three columns are the quasi-identifiers, generalized as the manifest says.',
    aggregate: false,
    columns: [
      {
        name: 'member',
        type: 'string',
        description: 'Pseudonym of the member (this export only).'
      },
      {
        name: 'tier',
        type: 'string',
        quasiIdentifier: true,
        values: [...TIERS, 'member', '*'],
        description:
          "The member's tier now; `member` (any tier after probation) or `*` when generalized."
      },
      {
        name: 'joined',
        type: 'date',
        quasiIdentifier: true,
        description: `When the member was admitted, generalized (see the manifest's \`recoding\`). ${DATE}`
      },
      {
        name: 'category',
        type: 'string',
        quasiIdentifier: true,
        description: "The group's category from Hearth's list (e.g. `Grief and loss`), or `other`."
      },
      {
        name: 'spell',
        type: 'integer',
        description: 'Number of the spell for this member, from 1.'
      },
      {
        name: 'spell_tier',
        type: 'string',
        values: [...TIERS, 'member', '*'],
        description: 'Tier during the spell, generalized like `tier`.'
      },
      { name: 'spell_start', type: 'date', description: `When the spell began. ${DATE}` },
      {
        name: 'spell_weeks',
        type: 'integer',
        description: 'Whole weeks the spell lasted (up to the export for a spell that lasts).'
      },
      {
        name: 'spell_ended',
        type: 'string',
        nullable: true,
        values: ['promoted', 'demoted', 'removed'],
        description: 'How the spell ended; empty while it lasts.'
      },
      {
        name: 'waited_weeks',
        type: 'integer',
        nullable: true,
        description: 'Whole weeks from application to admission; empty for founders.'
      }
    ]
  },
  {
    name: 'moderation',
    description:
      "Moderation actions in support threads (reason codes, never content, never people) and leaders' emergency actions.",
    aggregate: false,
    columns: [
      {
        name: 'source',
        type: 'string',
        values: ['thread', 'emergency'],
        description: "A moderator's decision on a post, or a leader's emergency action."
      },
      {
        name: 'action',
        type: 'string',
        values: [...MODERATION_ACTS, 'emergency-hide', 'emergency-mute'],
        description: 'What was done.'
      },
      {
        name: 'reason',
        type: 'string',
        values: [...REPORT_REASONS, 'emergency'],
        description: 'Reason code.'
      },
      { name: 'time', type: 'date', description: `When. ${DATE}` },
      {
        name: 'status',
        type: 'string',
        values: ['decided', 'ratified', 'expired', 'active'],
        description:
          'For emergency actions: confirmed by a vote, expired, or still in force; `decided` for thread decisions.'
      }
    ]
  },
  {
    name: 'engagement',
    description:
      'How many exported members did each thing in each period: each member counts at most once per cell, and each count carries discrete Laplace noise (ε per cell in the manifest). Cells whose noised count is under k are suppressed.',
    aggregate: true,
    columns: [
      { name: 'period', type: 'date', description: `The period. ${DATE}` },
      {
        name: 'activity',
        type: 'string',
        values: ['any', ...ACTIVITIES],
        description:
          '`any` counts members who did at least one of the others. `posted`, `reacted` and `reported` come from support threads (a reaction and a report count in the period of the post); the rest from the ledger.'
      },
      {
        name: 'members',
        type: 'integer',
        nullable: true,
        description: 'Noised count of distinct members (never below 0); empty when suppressed.'
      },
      {
        name: 'suppressed',
        type: 'boolean',
        description: 'True when the noised count was under k and is not released.'
      }
    ]
  }
];

/** The schema as shipped in every export. */
export function schemaJson(): unknown {
  return {
    schemaVersion: SCHEMA_VERSION,
    formats: ['csv', 'jsonl'],
    tables: TABLES,
    document: DOCUMENT_DESCRIPTION
  };
}

const DOCUMENT_DESCRIPTION =
  "`document.json`: the group's ledger with the same structure (`v`, `groupId`, `entries` keyed by entry id; each entry's author, seq, prev, kind and payload) and with every exported member's entries: member and device keys replaced by this export's pseudonyms, entry ids by random ids, free text by its length in bytes (`…Bytes` fields), keys, nonces, proofs and lockboxes removed, times coarsened to the export's grain, and each entry signed by the export key (Ed25519 over `hearth/research/v1` ‖ 0x00 ‖ groupId ‖ the entry's canonical JSON without `sig`). References to anyone not in the export read `withheld`. `verdict` and `reason` are what the group's reducer decided for the entry.";

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** docs/research-data-dictionary.md. */
export function dataDictionary(): string {
  const out: string[] = [
    '# Research data dictionary',
    '',
    '<!-- Generated from src/lib/core/research/schema.ts by `npm run export -- --dictionary`; a test keeps it equal. -->',
    '',
    `Schema version ${SCHEMA_VERSION}. Every export holds \`manifest.json\` (parameters, recoding, suppression, privacy budget, file hashes, signature), \`schema.json\` (this dictionary as data), \`suppression.json\`, \`metrics.json\`, and each table the study may receive as \`<table>.csv\` and \`<table>.jsonl\`. Pseudonyms are random and new in every export: two exports cannot be joined.`,
    ''
  ];
  for (const t of TABLES) {
    out.push(`## ${t.name}${t.aggregate ? ' (aggregate, noised)' : ''}`, '', t.description, '');
    out.push('| Column | Type | Values | Description |', '| --- | --- | --- | --- |');
    for (const c of t.columns)
      out.push(
        `| \`${c.name}\`${c.quasiIdentifier ? ' (QI)' : ''} | ${c.type}${c.nullable ? ', may be empty' : ''} | ${c.values ? c.values.map((v) => `\`${v}\``).join(', ') : ''} | ${cell(c.description)} |`
      );
    out.push('');
  }
  out.push('## document', '', DOCUMENT_DESCRIPTION, '');
  out.push(
    '## metrics.json',
    '',
    'Group health computed from the released data only (the same code the app uses for its charts): weekly members and active members (the noised `any` engagement counts), participation per closed proposal, retention after 4, 12 and 26 weeks, weeks from application to admission, and how many reported posts and emergency actions were resolved and how fast. Metrics whose tables the study may not receive are null.',
    ''
  );
  return out.join('\n');
}
