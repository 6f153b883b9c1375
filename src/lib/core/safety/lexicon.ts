import { normalize } from './normalize';
import type { SafetyClass, Tier } from './types';

/**
 * A language's safety lexicon: data, not code (src/lib/core/safety/lexicons/<lang>.json), with its
 * source and licence [SAFE-3]. Patterns are written in a small phrase notation so that a reviewer
 * who speaks the language can read and correct them without knowing regular expressions:
 *
 * - words are separated by spaces and match whole words, one or more spaces apart;
 * - `a|b|c` — any one of these words; `_` inside a word stands for a space ("do_not|don't");
 * - `[a|b]` — this word may be left out;
 * - `~3` — up to three words of anything;
 * - `kill*` — a word starting with "kill"; `#` — a number; `##` — a number of 10 or more;
 * - `{name}` — one of the lexicon's macros (itself a word of alternatives), `[{name}]` optional;
 * - `$` — the end of the sentence ("I have a plan." but not "I have a plan for the weekend").
 *
 * Patterns match the normalized text (see normalize.ts): lower case, no accents, Arabic letter
 * variants folded — write them that way.
 */
export interface RuleData {
  id: string;
  class: SafetyClass;
  tier?: Tier;
  /** Phrase patterns; any one matching fires the rule. */
  p: string[];
  /**
   * `present` (default): a thought or wish — it counts when it is about now. Past-tense words in
   * the match ("wanted", "used to") set it aside unless the sentence says it is recent.
   * `act`: something done — past tense is how it is told; only a distant time ("years ago",
   * "when I was 15") sets it aside.
   * `any`: time does not matter (spam, personal details, advice, harassment).
   */
  time?: 'present' | 'act' | 'any';
  /**
   * `self` (default for crisis and self-harm): about the writer — set aside when the nearest
   * subject before it is someone else ("my friend wants to die"). `given`: the pattern names
   * its own target (myself, yourself), no subject check.
   */
  person?: 'self' | 'given';
  /** Whether a negation just before it sets it aside (default true). */
  negatable?: boolean;
  /** Whether quotation marks around it set it aside (default true). */
  quotable?: boolean;
  /**
   * Counts only alongside other crisis language of the writer's in the same text [SAFE-29]:
   * "tengo un plan" is a plan after "quiero morir", and nothing in "tengo un plan para el finde".
   */
  alongside?: boolean;
}

/**
 * Single words and short phrases, read only when no rule found crisis language: several of them in
 * one text, at least one about death, the writer's own and about now, point to a crisis that the
 * rules' phrasing missed [SAFE-4]. Kinds: `death` (die, funeral, not be here), `own-death` (words
 * that say "my death" by their form: Spanish "morirme", Arabic "اموت"), `risk` (hopeless,
 * burden, trapped), `means` (pills, rope, bridge), `plan` (goodbye, tonight, note), `act`
 * (bleeding, attempted).
 */
export type TermKind = 'death' | 'own-death' | 'risk' | 'means' | 'plan' | 'act';
export interface TermData {
  kind: TermKind;
  /** The tier these words point to, when not their kind's (e.g. "suicidal": active). */
  tier?: Tier;
  p: string[];
}

export interface LexiconData {
  lang: string;
  name: string;
  /** Where the terms come from, and under what licence. */
  source: string;
  licence: string;
  /** Optional word-start that any pattern may carry (Arabic: the conjunctions و and ف). */
  prefix?: string;
  macros: Record<string, string>;
  /** Idioms whose words are removed before the rules run ("this exam is killing me"). */
  idioms: string[];
  /** Right before something done ("cut myself"), these make it an intention: "want to cut myself". */
  intention: string[];
  /** Laughter ("lol", "jaja", "😂"): in its sentence, single crisis words are jokes. */
  laughter: string[];
  /** Words that negate what follows within `negationWindow` words in the same clause. */
  negators: string[];
  /** Phrases that look like negation but are not ("can't stop", "no one would care if"). */
  notNegation: string[];
  negationWindow: number;
  /** A sentence with one of these speaks of long ago ("years ago", "when I was 15"). */
  distantPast: string[];
  /** ... and with one of these, of now ("tonight", "again", "right now"). */
  recent: string[];
  /** Past-tense words that, inside a `present` match, make it a memory ("wanted", "was"). */
  pastWords: string[];
  /** Inside a match, these make past forms a wish, not a memory ("I wish I was dead"). */
  irrealis: string[];
  /** Subjects: the writer, and anyone else. The nearest before a match decides whose it is. */
  selfWords: string[];
  otherWords: string[];
  /** The writer as a subject ("I", "me"; not "my"): a death word right after them is their own. */
  selfSubjects: string[];
  /** Someone else speaking: "he told me", "they said" (reported speech sets a match aside). */
  reporting: string[];
  /** Before a quotation, the writer's own thoughts: "I keep thinking", "I told myself". */
  ownThought: string[];
  /** Words that end a clause for negation and subject (besides punctuation): "but", "and". */
  clauseBreaks: string[];
  /**
   * Earlier in the clause, these make a match an experience the writer understands in someone
   * else, not their own now: "I know what it's like to want to die" (a supporter) [SAFE-29].
   */
  empathy?: string[];
  rules: RuleData[];
  terms: TermData[];
}

/** A compiled rule, with the defaults of `RuleData` filled in once (they depend on its class). */
export interface Rule {
  id: string;
  class: SafetyClass;
  tier?: Tier;
  time: 'present' | 'act' | 'any';
  person: 'self' | 'given';
  negatable: boolean;
  quotable: boolean;
  alongside: boolean;
  re: RegExp;
}

/** The context words of a lexicon, each list compiled into one expression. */
export interface ContextWords {
  negator: RegExp;
  notNegation: RegExp;
  distant: RegExp;
  recent: RegExp;
  past: RegExp;
  irrealis: RegExp;
  self: RegExp;
  other: RegExp;
  selfSubject: RegExp;
  reporting: RegExp;
  ownThought: RegExp;
  clauseBreak: RegExp;
  empathy: RegExp;
  intention: RegExp;
  laughter: RegExp;
}

export interface Lexicon {
  lang: string;
  negationWindow: number;
  rules: Rule[];
  terms: { kind: TermKind; tier?: Tier; re: RegExp }[];
  idioms: RegExp;
  words: ContextWords;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';

/** Turns one phrase pattern into a regular expression source (without boundaries). */
export function phraseSource(pattern: string, macros: Record<string, string>): string {
  // Authors may write accents and letter variants: fold them as the text is folded.
  const words = normalize(pattern).text.trim().split(/\s+/);
  let out = '';
  // Whether the next word needs a space before it (false at the start, and after optional words
  // or wildcards at the start, which carry their own trailing space).
  let needGap = false;
  for (const raw of words) {
    const gap = (optional: boolean, body: string) => {
      if (optional) out += needGap ? `(?:\\s+${body})?` : `(?:${body}\\s+)?`;
      else {
        out += needGap ? `\\s+${body}` : body;
        needGap = true;
      }
    };
    if (raw === '$') {
      // The end of the sentence: only spaces, then sentence punctuation or the end of the text.
      out += '(?=\\s*(?:[.!?\\n]|$))';
      continue;
    }
    const wild = /^~(\d+)$/.exec(raw);
    if (wild) {
      // Up to N words of anything, never across a sentence end.
      out += needGap ? `(?:\\s+[^\\s.!?]+){0,${wild[1]}}` : `(?:[^\\s.!?]+\\s+){0,${wild[1]}}`;
      continue;
    }
    const optional = raw.startsWith('[') && raw.endsWith(']');
    const word = optional ? raw.slice(1, -1) : raw;
    const alts = word.split('|').flatMap((a) => {
      const macro = /^\{(\w+)\}$/.exec(a);
      if (macro) {
        const m = macros[macro[1]!];
        if (m === undefined) throw new Error(`unknown macro {${macro[1]}} in "${pattern}"`);
        return normalize(m).text.split('|');
      }
      return [a];
    });
    const body = alts
      .map((a) =>
        a === '#'
          ? '\\d+(?:[.,]\\d+)?'
          : a === '##'
            ? '[1-9]\\d+'
            : a
                .split('_')
                .map((part) => {
                  const stem = part.endsWith('*');
                  // `#` inside a word ("$#") is a number there too.
                  const text = escape(stem ? part.slice(0, -1) : part).replace(
                    /#/g,
                    '\\d+(?:[.,]\\d+)?'
                  );
                  return stem ? `${text}[\\p{L}']*` : text;
                })
                .join('\\s+')
      )
      .join('|');
    gap(optional, `(?:${body})`);
  }
  return out;
}

const NEVER = /(?!)/gu;

export function compileLexicon(data: LexiconData): Lexicon {
  const prefix = data.prefix ? `(?:${data.prefix})?` : '';
  /** Any of these phrases, as whole words. */
  const anyOf = (ps: string[]) =>
    ps.length === 0
      ? NEVER
      : new RegExp(
          `${START}${prefix}(?:${ps.map((p) => phraseSource(p, data.macros)).join('|')})${END}`,
          'gu'
        );
  return {
    lang: data.lang,
    negationWindow: data.negationWindow,
    idioms: anyOf(data.idioms),
    words: {
      negator: anyOf(data.negators),
      notNegation: anyOf(data.notNegation),
      distant: anyOf(data.distantPast),
      recent: anyOf(data.recent),
      past: anyOf(data.pastWords),
      irrealis: anyOf(data.irrealis),
      self: anyOf(data.selfWords),
      other: anyOf(data.otherWords),
      selfSubject: anyOf(data.selfSubjects),
      reporting: anyOf(data.reporting),
      ownThought: anyOf(data.ownThought),
      clauseBreak: anyOf(data.clauseBreaks),
      empathy: anyOf(data.empathy ?? []),
      intention: anyOf(data.intention),
      laughter: anyOf(data.laughter)
    },
    terms: data.terms.map((t) => ({
      kind: t.kind,
      ...(t.tier ? { tier: t.tier } : {}),
      re: anyOf(t.p)
    })),
    rules: data.rules.map((r) => {
      // Crisis and self-harm are about the writer, now; harassment is personal but timeless;
      // spam and personal details are neither negated nor quoted away.
      const own = r.class === 'crisis' || r.class === 'self-harm';
      const personal = own || r.class === 'harassment';
      return {
        id: r.id,
        class: r.class,
        ...(r.tier ? { tier: r.tier } : {}),
        time: r.time ?? (own ? 'present' : 'any'),
        person: r.person ?? (own ? 'self' : 'given'),
        negatable: r.negatable ?? (personal || r.class === 'harmful-advice'),
        quotable: r.quotable ?? personal,
        alongside: r.alongside ?? false,
        re: anyOf(r.p)
      };
    })
  };
}
