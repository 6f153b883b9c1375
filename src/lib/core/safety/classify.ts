import {
  compileLexicon,
  type Lexicon,
  type LexiconData,
  type Rule,
  type TermKind
} from './lexicon';
import { normalize, type Normalized } from './normalize';
import { findLinks, findPersonalDetails, findRepetition, toEvidenceAt } from './patterns';
import {
  higherTier,
  SAFETY_CLASSES,
  type Discount,
  type Evidence,
  type SafetyClass,
  type SetAside,
  type Tier,
  type Verdict
} from './types';
import en from './lexicons/en.json';
import es from './lexicons/es.json';
import ar from './lexicons/ar.json';

export const LEXICON_DATA: Record<string, LexiconData> = {
  en: en as LexiconData,
  es: es as LexiconData,
  ar: ar as LexiconData
};
export const LANGUAGES = Object.keys(LEXICON_DATA);

const compiled = new Map<string, Lexicon>();
function lexicon(lang: string): Lexicon {
  let l = compiled.get(lang);
  if (!l) {
    l = compileLexicon(LEXICON_DATA[lang]!);
    compiled.set(lang, l);
  }
  return l;
}

/** Which lexicons read a text in `lang`: its own, and English too (people mix it in). */
function lexiconsFor(lang: string): Lexicon[] {
  const base = lang.toLowerCase().split(/[-_]/)[0] ?? '';
  if (!(base in LEXICON_DATA)) return LANGUAGES.map(lexicon);
  return base === 'en' ? [lexicon('en')] : [lexicon(base), lexicon('en')];
}

interface Span {
  start: number;
  end: number;
}

/**
 * The one safety function [SAFE-1]: what a text says, in which tier and classes, and the words
 * that say it. Pure and synchronous: runs on every keystroke, offline, on the device, and the
 * same in the CLI and the tests. `lang` is a BCP 47 tag ("en", "es-MX", "ar"); an unknown one
 * reads the text with every lexicon.
 */
export function classify(text: string, lang: string): Verdict {
  const n = normalize(text);
  const evidence: Evidence[] = [];
  const setAside: SetAside[] = [];
  const seen = new Set<string>();
  const lexicons = lexiconsFor(lang);
  for (const lex of lexicons) readWith(lex, text, n, evidence, setAside, seen);
  for (const lex of lexicons) readTerms(lex, text, n, evidence, setAside);

  // Language-independent: anonymity, links, repetition.
  // Addresses and numbers are read without look-alike letters ("jo84@x.org" stays as written).
  const plain = normalize(text, { leet: false });
  for (const f of findPersonalDetails(plain))
    evidence.push(toEvidenceAt(text, plain, f, 'personal-details'));
  const links = findLinks(plain).map((f) => toEvidenceAt(text, plain, f, 'spam'));
  const repeated = findRepetition(n);
  // Spam needs more than one sign: a single link (to a helpline, say) or one word like "free"
  // is ordinary talk [SAFE-6].
  const signs = evidence.filter((e) => e.class === 'spam');
  const isSpam =
    signs.length >= 2 ||
    (signs.length >= 1 && links.length >= 1) ||
    links.length >= 3 ||
    repeated !== undefined;
  const counted = evidence.filter((e) => e.class !== 'spam');
  if (isSpam) {
    counted.push(...signs, ...links);
    if (repeated) counted.push(toEvidenceAt(text, n, repeated, 'spam'));
  } else for (const e of signs) setAside.push({ ...e, because: 'too-weak' });

  let tier: Tier = 'none';
  for (const e of counted)
    if ((e.class === 'crisis' || e.class === 'self-harm') && e.tier)
      tier = higherTier(tier, e.tier);
  const classes = new Set<SafetyClass>(counted.map((e) => e.class));
  if (tier !== 'none') classes.add('crisis');
  return {
    tier,
    classes: SAFETY_CLASSES.filter((c) => classes.has(c)),
    evidence: counted.sort((a, b) => a.start - b.start),
    setAside
  };
}

function readWith(
  lex: Lexicon,
  text: string,
  n: Normalized,
  evidence: Evidence[],
  setAside: SetAside[],
  seen: Set<string>
) {
  const s = n.text;
  const idioms = spansOf(lex.idioms, s);
  const quotes = quotedSpans(s);
  const sentences = sentenceSpans(s);
  const h = helpers(lex);
  for (const rule of lex.rules) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(s); m; m = rule.re.exec(s)) {
      if (m[0].length === 0) {
        rule.re.lastIndex++;
        continue;
      }
      const span = { start: m.index, end: m.index + m[0].length };
      const key = `${rule.class}:${span.start}:${span.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const found = toEvidence(rule, text, n, span);
      const because = discount(lex, h, rule, s, span, idioms, quotes, sentences);
      if (because) setAside.push({ ...found, because });
      else evidence.push(found);
    }
  }
}

const TERM_TIER: Record<TermKind, Tier> = {
  death: 'passive',
  'own-death': 'passive',
  risk: 'passive',
  means: 'method',
  plan: 'plan',
  act: 'behaviour'
};

/**
 * The fallback when no rule found crisis language [SAFE-4]. Each crisis word must pass the same
 * checks as a rule (the writer's own, about now, not negated, not an idiom, not quoted). It
 * counts as crisis language when:
 * - a word about death has the writer as its subject close by ("I honestly feel like dying"), or
 *   says so by its form (Spanish "morirme");
 * - or two different crisis words appear and one is about death;
 * - or a means appears with a plan or an act ("counted my pills tonight", "swallowed everything
 *   in the medicine cabinet").
 * The tier is the highest the words point to.
 */
function readTerms(
  lex: Lexicon,
  text: string,
  n: Normalized,
  evidence: Evidence[],
  setAside: SetAside[]
) {
  if (evidence.some((e) => e.class === 'crisis' || e.class === 'self-harm')) return;
  const s = n.text;
  const idioms = spansOf(lex.idioms, s);
  const quotes = quotedSpans(s);
  const sentences = sentenceSpans(s);
  const h = helpers(lex);
  const hits: Evidence[] = [];
  const kinds = new Set<TermKind>();
  const words = new Set<string>();
  let ownDeath = false;
  for (const term of lex.terms) {
    const rule: Rule = {
      id: `${lex.lang}.terms.${term.kind}`,
      class: 'crisis',
      tier: term.tier ?? TERM_TIER[term.kind],
      re: term.re
    };
    for (const span of spansOf(term.re, s)) {
      const found = toEvidence(rule, text, n, span);
      // Inside something a rule already read (counted as harassment, or set aside as past or
      // negated), a word says nothing new.
      const within = (e: Evidence) => e.start < found.end && found.start < e.end;
      const earlier = evidence.find(within) ?? setAside.find(within);
      const sentence = sentences.find((x) => x.start <= span.start && span.start < x.end);
      const laughing = test(h.laughter, s.slice(sentence?.start ?? 0, sentence?.end ?? s.length));
      const because =
        (earlier
          ? 'because' in earlier
            ? (earlier as SetAside).because
            : 'someone-else'
          : undefined) ??
        (laughing ? 'idiom' : undefined) ??
        discount(lex, h, rule, s, span, idioms, quotes, sentences);
      if (because) {
        setAside.push({ ...found, because });
        continue;
      }
      const word = s.slice(span.start, span.end);
      if (words.has(word)) continue;
      words.add(word);
      kinds.add(term.kind);
      hits.push(found);
      if (term.kind === 'own-death') ownDeath = true;
      if (term.kind === 'death') {
        const lead = s
          .slice(sentence?.start ?? 0, span.start)
          .trim()
          .split(/\s+/)
          .slice(-5)
          .join(' ');
        if (
          test(h.selfSubject, lead) &&
          lastMatchEnd(h.other, lead) <= lastMatchEnd(h.selfSubject, lead)
        )
          ownDeath = true;
      }
    }
  }
  const death = kinds.has('death') || kinds.has('own-death');
  const fires =
    ownDeath ||
    (hits.length >= 2 && death) ||
    (kinds.has('means') && (kinds.has('plan') || kinds.has('act')));
  if (fires) evidence.push(...hits);
  else for (const e of hits) setAside.push({ ...e, because: 'too-weak' });
}

function toEvidence(rule: Rule, text: string, n: Normalized, span: Span): Evidence {
  const e = toEvidenceAt(text, n, { rule: rule.id, ...span }, rule.class);
  if (rule.tier) e.tier = rule.tier;
  return e;
}

interface Helpers {
  negator: RegExp;
  notNegation: RegExp;
  distant: RegExp;
  recent: RegExp;
  past: RegExp;
  self: RegExp;
  other: RegExp;
  reporting: RegExp;
  ownThought: RegExp;
  clauseBreak: RegExp;
  irrealis: RegExp;
  intention: RegExp;
  laughter: RegExp;
  selfSubject: RegExp;
}
const helperCache = new WeakMap<Lexicon, Helpers>();
function helpers(lex: Lexicon): Helpers {
  let h = helperCache.get(lex);
  if (h) return h;
  const of = (ps: string[]) => {
    if (ps.length === 0) return /(?!)/gu;
    const res = ps.map((p) => lex.phrase(p).source);
    return new RegExp(res.join('|'), 'gu');
  };
  h = {
    negator: of(lex.negators),
    notNegation: of(lex.notNegation),
    distant: of(lex.distantPast),
    recent: of(lex.recent),
    past: of(lex.pastWords),
    self: of(lex.selfWords),
    other: of(lex.otherWords),
    reporting: of(lex.reporting),
    ownThought: of(lex.ownThought),
    clauseBreak: of(lex.clauseBreaks),
    irrealis: of(lex.irrealis),
    intention: of(lex.intention),
    laughter: of(lex.laughter),
    selfSubject: of(lex.selfSubjects)
  };
  helperCache.set(lex, h);
  return h;
}

const test = (re: RegExp, s: string) => {
  re.lastIndex = 0;
  return re.test(s);
};

function discount(
  lex: Lexicon,
  h: Helpers,
  rule: Rule,
  s: string,
  span: Span,
  idioms: Span[],
  quotes: Span[],
  sentences: Span[]
): Discount | undefined {
  if (idioms.some((i) => i.start < span.end && span.start < i.end)) return 'idiom';
  const sentence = sentences.find((x) => x.start <= span.start && span.start < x.end) ?? {
    start: 0,
    end: s.length
  };
  const before = s.slice(sentence.start, span.start);
  const inSentence = s.slice(sentence.start, sentence.end);
  const clauseStart = Math.max(lastMatchEnd(h.clauseBreak, before), lastPunctuation(before));
  const clause = before.slice(clauseStart);
  const personal =
    rule.class === 'crisis' || rule.class === 'self-harm' || rule.class === 'harassment';

  const quote = quotes.find((q) => q.start <= span.start && span.end <= q.end);
  if (quote && (rule.quotable ?? personal)) {
    const lead = s.slice(sentence.start, quote.start);
    if (!test(h.ownThought, lead)) return 'quoted';
  }
  if (personal && test(h.reporting, clause)) return 'reported';

  if (rule.negatable ?? (personal || rule.class === 'harmful-advice')) {
    const words = clause.trim().split(/\s+/).filter(Boolean);
    const window = words.slice(-lex.negationWindow).join(' ');
    const matched = s.slice(span.start, span.end);
    // Pseudo-negations ("can't stop", "why don't you") may begin before the clause does.
    const wider = before
      .trim()
      .split(/\s+/)
      .slice(-(lex.negationWindow + 3))
      .join(' ');
    if (test(h.negator, window) && !test(h.notNegation, `${wider} ${matched}`)) return 'negated';
  }

  // "want to cut myself", "gonna hurt myself": an act pattern read as an intention is not an act.
  if ((rule.time ?? 'present') === 'act') {
    const previous = clause.trim().split(/\s+/).pop() ?? '';
    if (previous && test(h.intention, previous)) return 'intention';
  }

  const time =
    rule.time ?? (rule.class === 'crisis' || rule.class === 'self-harm' ? 'present' : 'any');
  if (time !== 'any') {
    // The clause the match sits in, to its end: "I used to want to die, but now I'm better".
    const after = s.slice(span.end, sentence.end);
    const cut = Math.min(
      firstMatchStart(h.clauseBreak, after),
      after.search(/[,;:()\u2013\u2014]/) < 0 ? after.length : after.search(/[,;:()\u2013\u2014]/)
    );
    const matchClause = clause + s.slice(span.start, span.end) + after.slice(0, cut);
    const recentHere = test(h.recent, matchClause);
    // A distant time anywhere in the sentence makes it a memory, unless this clause says now.
    if (test(h.distant, inSentence) && !recentHere) return 'past';
    const matched = s.slice(span.start, span.end);
    if (
      time === 'present' &&
      !test(h.recent, inSentence) &&
      test(h.past, matched) &&
      !test(h.irrealis, matched)
    )
      return 'past';
  }

  const person =
    rule.person ?? (rule.class === 'crisis' || rule.class === 'self-harm' ? 'self' : 'given');
  if (person === 'self') {
    // The match may begin with its own subject: "I want to die".
    const lead = `${clause} ${s.slice(span.start, span.end).split(/\s+/)[0] ?? ''}`;
    const lastSelf = lastMatchEnd(h.self, lead);
    const lastOther = lastMatchEnd(h.other, lead);
    if (lastOther > lastSelf) return 'someone-else';
  }
  return undefined;
}

function firstMatchStart(re: RegExp, s: string): number {
  re.lastIndex = 0;
  const m = re.exec(s);
  return m ? m.index : s.length;
}

/** End of the last match of `re` in `s`, or 0 (or -1 for "none" when compared). */
function lastMatchEnd(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    end = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return end;
}

function spansOf(re: RegExp, s: string): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Text between double quotes, or between single quotes that stand apart from words. */
function quotedSpans(s: string): Span[] {
  const out: Span[] = [];
  for (const m of s.matchAll(/"([^"]{1,400})"/g))
    out.push({ start: m.index, end: m.index + m[0].length });
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])'([^'\n]{2,400}?)'(?![\p{L}\p{N}])/gu))
    out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

function sentenceSpans(s: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (const m of s.matchAll(/[.!?\n]+(?:\s|$)|\n/g)) {
    const end = m.index + m[0].length;
    out.push({ start, end });
    start = end;
  }
  if (start < s.length) out.push({ start, end: s.length });
  return out;
}

function lastPunctuation(s: string): number {
  let at = 0;
  for (const m of s.matchAll(/[,;:()\u2013\u2014]/g)) at = m.index + 1;
  return at;
}
