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
/** Ids of rules that count only alongside other crisis language [SAFE-29]. */
const ALONGSIDE = new Set<string>();
function lexicon(lang: string): Lexicon {
  let l = compiled.get(lang);
  if (!l) {
    l = compileLexicon(LEXICON_DATA[lang]!);
    for (const r of l.rules) if (r.alongside) ALONGSIDE.add(r.id);
    compiled.set(lang, l);
  }
  return l;
}

/** The writer's own crisis language that stands on its own. */
const ownCrisis = (e: Evidence) =>
  (e.class === 'crisis' || e.class === 'self-harm') && !ALONGSIDE.has(e.rule);

/**
 * Which lexicons read a text: every bundled one, whatever the app's language, because people
 * write in the language they think in, not the one the app is set to [SAFE-28]. The app's own
 * language reads first (its rule ids come first when two languages find the same words).
 */
function lexiconsFor(lang: string): Lexicon[] {
  const base = lang.toLowerCase().split(/[-_]/)[0] ?? '';
  const order = base in LEXICON_DATA ? [base, ...LANGUAGES.filter((l) => l !== base)] : LANGUAGES;
  return order.map(lexicon);
}

interface Span {
  start: number;
  end: number;
}

/** One text as every lexicon reads it. */
interface Reading {
  text: string;
  n: Normalized;
  quotes: Span[];
  sentences: Span[];
}

/** A lexicon and where its idioms stand in this text. */
interface WithIdioms {
  lex: Lexicon;
  idioms: Span[];
}

/**
 * The one safety function [SAFE-1]: what a text says, in which tier and classes, and the words
 * that say it. Pure and synchronous: runs on every keystroke, offline, on the device, and the
 * same in the CLI and the tests. `lang` is a BCP 47 tag ("en", "es-MX", "ar"); every bundled
 * language reads the text whatever it is [SAFE-28].
 *
 * A long text is read in pieces of about 400 characters cut at sentence ends, and the reading
 * of each piece is remembered (the last 128 pieces), so a keystroke in a long draft reads one
 * piece again, not the whole draft [SAFE-28]. What only the whole text can say — spam signs
 * together, words that count only alongside other crisis language — is decided over all pieces.
 */
export function classify(text: string, lang: string): Verdict {
  const base = lang.toLowerCase().split(/[-_]/)[0] ?? '';
  const evidence: Evidence[] = [];
  const setAside: SetAside[] = [];
  let links = 0;
  let repeated = false;
  for (const piece of pieces(text)) {
    const r = readPiece(text.slice(piece.start, piece.end), base);
    const shift = <T extends Evidence>(e: T): T => ({
      ...e,
      start: e.start + piece.start,
      end: e.end + piece.start
    });
    for (const e of r.evidence) evidence.push(shift(e));
    for (const e of r.setAside) setAside.push(shift(e));
    links += r.links;
    repeated ||= r.repeated;
  }

  // Spam needs more than one sign: a single link (to a helpline, say) or one word like "free"
  // is ordinary talk [SAFE-6].
  const signs = evidence.filter((e) => e.class === 'spam' && e.rule !== LINK && e.rule !== REPEAT);
  const isSpam = signs.length >= 2 || (signs.length >= 1 && links >= 1) || links >= 3 || repeated;
  const counted = evidence.filter((e) => e.class !== 'spam');
  if (isSpam) counted.push(...evidence.filter((e) => e.class === 'spam'));
  else for (const e of signs) setAside.push({ ...e, because: 'too-weak' });

  // Words that count only alongside the writer's other crisis language ("tengo un plan").
  if (!counted.some(ownCrisis))
    for (let k = counted.length - 1; k >= 0; k--)
      if (ALONGSIDE.has(counted[k]!.rule))
        setAside.push({ ...counted.splice(k, 1)[0]!, because: 'too-weak' });

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

/** Rule ids of the language-independent spam signs. */
const LINK = 'any.link';
const REPEAT = 'any.repeated';

/** One piece's reading: every match (spam signs, links and repetition included) and why not. */
interface PieceReading {
  evidence: Evidence[];
  setAside: SetAside[];
  links: number;
  repeated: boolean;
}

const PIECE = 400;
const MAX_PIECE = 800;

/** Where a long text is cut: after a sentence end past every ~400 characters. */
function pieces(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  while (text.length - start > MAX_PIECE) {
    const ahead = text.slice(start + PIECE, start + MAX_PIECE);
    const sentence = /[.!?\n]\s*/.exec(ahead);
    const space = sentence ? undefined : /\s+/.exec(ahead);
    const cut = sentence
      ? sentence.index + sentence[0].length
      : space
        ? space.index + space[0].length
        : ahead.length;
    out.push({ start, end: start + PIECE + cut });
    start += PIECE + cut;
  }
  out.push({ start, end: text.length });
  return out;
}

const memo = new Map<string, PieceReading>();
const MEMO_SIZE = 128;

/** A piece read with every lexicon, the app's language first; remembered (least recent out). */
function readPiece(text: string, base: string): PieceReading {
  const key = `${base}\u0000${text}`;
  const hit = memo.get(key);
  if (hit) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const r = read(text, base);
  memo.set(key, r);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return r;
}

function read(text: string, lang: string): PieceReading {
  const n = normalize(text);
  const evidence: Evidence[] = [];
  const setAside: SetAside[] = [];
  const seen = new Set<string>();
  // What does not depend on the language is found once: quotations and sentences.
  const reading: Reading = {
    text,
    n,
    quotes: quotedSpans(n.text),
    sentences: sentenceSpans(n.text)
  };
  const lexicons = lexiconsFor(lang).map((lex) => ({ lex, idioms: spansOf(lex.idioms, n.text) }));
  for (const l of lexicons) readWith(reading, l, evidence, setAside, seen);
  for (const l of lexicons) readTerms(reading, l, evidence, setAside);

  // Language-independent: anonymity, links, repetition.
  // Addresses and numbers are read without look-alike letters ("jo84@x.org" stays as written).
  const plain = normalize(text, { leet: false });
  for (const f of findPersonalDetails(plain))
    evidence.push(toEvidenceAt(text, plain, f, 'personal-details'));
  const links = findLinks(plain).map((f) => toEvidenceAt(text, plain, f, 'spam'));
  evidence.push(...links);
  const repeated = findRepetition(n);
  if (repeated) evidence.push(toEvidenceAt(text, n, repeated, 'spam'));
  return { evidence, setAside, links: links.length, repeated: repeated !== undefined };
}

function readWith(
  r: Reading,
  { lex, idioms }: WithIdioms,
  evidence: Evidence[],
  setAside: SetAside[],
  seen: Set<string>
) {
  for (const rule of lex.rules)
    for (const span of spansOf(rule.re, r.n.text)) {
      const key = `${rule.class}:${span.start}:${span.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const found = toEvidence(rule, r, span);
      const because = discount(r, lex, idioms, rule, span);
      if (because) setAside.push({ ...found, because });
      else evidence.push(found);
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
  r: Reading,
  { lex, idioms }: WithIdioms,
  evidence: Evidence[],
  setAside: SetAside[]
) {
  if (evidence.some(ownCrisis)) return;
  const s = r.n.text;
  const w = lex.words;
  const hits: Evidence[] = [];
  const kinds = new Set<TermKind>();
  const words = new Set<string>();
  let ownDeath = false;
  for (const term of lex.terms) {
    // A word is read like a crisis rule: the writer's own, now, not negated, not quoted.
    const rule: Rule = {
      id: `${lex.lang}.terms.${term.kind}`,
      class: 'crisis',
      tier: term.tier ?? TERM_TIER[term.kind],
      time: 'present',
      person: 'self',
      negatable: true,
      quotable: true,
      alongside: false,
      re: term.re
    };
    for (const span of spansOf(term.re, s)) {
      const found = toEvidence(rule, r, span);
      // Inside something a rule already read (counted as harassment, or set aside as past or
      // negated), a word says nothing new.
      const within = (e: Evidence) => e.start < found.end && found.start < e.end;
      const sentence = sentenceOf(r, span);
      const laughing = test(w.laughter, s.slice(sentence.start, sentence.end));
      // Counted evidence around it is harassment (aimed at someone else); set aside, its reason.
      const because =
        (evidence.some(within) ? 'someone-else' : setAside.find(within)?.because) ??
        (laughing ? 'idiom' : undefined) ??
        discount(r, lex, idioms, rule, span);
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
        const lead = s.slice(sentence.start, span.start).trim().split(/\s+/).slice(-5).join(' ');
        if (
          test(w.selfSubject, lead) &&
          lastMatchEnd(w.other, lead) <= lastMatchEnd(w.selfSubject, lead)
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

function toEvidence(rule: Rule, r: Reading, span: Span): Evidence {
  const e = toEvidenceAt(r.text, r.n, { rule: rule.id, ...span }, rule.class);
  if (rule.tier) e.tier = rule.tier;
  return e;
}

const test = (re: RegExp, s: string) => {
  re.lastIndex = 0;
  return re.test(s);
};

function sentenceOf(r: Reading, span: Span): Span {
  return (
    r.sentences.find((x) => x.start <= span.start && span.start < x.end) ?? {
      start: 0,
      end: r.n.text.length
    }
  );
}

/** Why a match does not count, in its context; undefined when it counts. */
function discount(
  r: Reading,
  lex: Lexicon,
  idioms: Span[],
  rule: Rule,
  span: Span
): Discount | undefined {
  if (idioms.some((i) => i.start < span.end && span.start < i.end)) return 'idiom';
  const s = r.n.text;
  const w = lex.words;
  const sentence = sentenceOf(r, span);
  const before = s.slice(sentence.start, span.start);
  const inSentence = s.slice(sentence.start, sentence.end);
  const matched = s.slice(span.start, span.end);
  const clause = before.slice(
    Math.max(lastMatchEnd(w.clauseBreak, before), lastPunctuation(before))
  );

  if ((rule.class === 'crisis' || rule.class === 'self-harm') && test(w.empathy, clause))
    return 'supporting';
  const quote = r.quotes.find((q) => q.start <= span.start && span.end <= q.end);
  if (quote && rule.quotable && !test(w.ownThought, s.slice(sentence.start, quote.start)))
    return 'quoted';
  const personal =
    rule.class === 'crisis' || rule.class === 'self-harm' || rule.class === 'harassment';
  if (personal && test(w.reporting, clause)) return 'reported';

  if (rule.negatable) {
    const window = clause.trim().split(/\s+/).slice(-lex.negationWindow).join(' ');
    // Pseudo-negations ("can't stop", "why don't you") may begin before the clause does.
    const wider = before
      .trim()
      .split(/\s+/)
      .slice(-(lex.negationWindow + 3))
      .join(' ');
    if (test(w.negator, window) && !test(w.notNegation, `${wider} ${matched}`)) return 'negated';
  }

  if (rule.time === 'act') {
    // "want to cut myself", "gonna hurt myself": an act read as an intention is not an act.
    const previous = clause.trim().split(/\s+/).pop() ?? '';
    if (previous && test(w.intention, previous)) return 'intention';
  }
  if (rule.time !== 'any') {
    // The clause the match sits in, to its end: "I used to want to die, but now I'm better".
    const after = s.slice(span.end, sentence.end);
    const end = Math.min(firstMatchStart(w.clauseBreak, after), firstPunctuation(after));
    const recentHere = test(w.recent, clause + matched + after.slice(0, end));
    // A distant time anywhere in the sentence makes it a memory, unless this clause says now.
    if (test(w.distant, inSentence) && !recentHere) return 'past';
    if (
      rule.time === 'present' &&
      !test(w.recent, inSentence) &&
      test(w.past, matched) &&
      !test(w.irrealis, matched)
    )
      return 'past';
  }

  if (rule.person === 'self') {
    // The match may begin with its own subject: "I want to die".
    const lead = `${clause} ${matched.split(/\s+/)[0] ?? ''}`;
    if (lastMatchEnd(w.other, lead) > lastMatchEnd(w.self, lead)) return 'someone-else';
  }
  return undefined;
}

function firstMatchStart(re: RegExp, s: string): number {
  re.lastIndex = 0;
  const m = re.exec(s);
  return m ? m.index : s.length;
}

/** End of the last match of `re` in `s`, or 0 when there is none. */
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

const PUNCTUATION = /[,;:()\u2013\u2014]/g;

/** Just after the last clause-ending punctuation in `s`, or 0. */
function lastPunctuation(s: string): number {
  let at = 0;
  for (const m of s.matchAll(PUNCTUATION)) at = m.index + 1;
  return at;
}

/** The first clause-ending punctuation in `s`, or its length. */
function firstPunctuation(s: string): number {
  PUNCTUATION.lastIndex = 0;
  const m = PUNCTUATION.exec(s);
  return m ? m.index : s.length;
}
