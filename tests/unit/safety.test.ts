import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, LANGUAGES, LEXICON_DATA } from '../../src/lib/core/safety/classify';
import { compileLexicon, phraseSource } from '../../src/lib/core/safety/lexicon';
import { normalize } from '../../src/lib/core/safety/normalize';
import {
  hasSensitiveNumbers,
  isEatingDisorderGroup,
  splitNumbers
} from '../../src/lib/core/safety/numbers';
import {
  emptyPlan,
  isEmptyPlan,
  openPlan,
  planLines,
  sealPlan
} from '../../src/lib/core/safety/plan';
import { followUpDue, followUpKey, readSeenAt } from '../../src/lib/safety/followup';

const tier = (text: string, lang = 'en') => classify(text, lang).tier;
const classes = (text: string, lang = 'en') => classify(text, lang).classes;
const because = (text: string, lang = 'en') => classify(text, lang).setAside.map((s) => s.because);

describe('safety: one function, tiers and classes', () => {
  it('[SAFE-1] each crisis tier, from a passive wish to behaviour', () => {
    expect(tier('Some days I wish I could go to sleep and never wake up')).toBe('passive');
    expect(tier('I keep thinking about killing myself')).toBe('active');
    expect(tier("I've been thinking about jumping off the bridge")).toBe('method');
    expect(tier("I'm going to kill myself tonight")).toBe('plan');
    expect(tier('I took all my pills an hour ago')).toBe('behaviour');
    expect(tier('Had a good session today, thank you all')).toBe('none');
    const v = classify('I want to die', 'en');
    expect(v.classes).toEqual(['crisis']);
    expect(v.evidence[0]).toMatchObject({
      class: 'crisis',
      tier: 'passive',
      text: 'I want to die'
    });
  });

  it('[SAFE-1] self-harm raises the tier and is its own class', () => {
    expect(classify('I really want to cut myself right now', 'en')).toMatchObject({
      tier: 'active',
      classes: ['crisis', 'self-harm']
    });
    expect(classify('I cut myself again tonight', 'en')).toMatchObject({
      tier: 'behaviour',
      classes: ['crisis', 'self-harm']
    });
    // Wanting to is not having done it.
    expect(tier('I keep thinking about hurting myself')).toBe('active');
  });

  it('[SAFE-11] abuse aimed at someone else is harassment, never a crisis', () => {
    for (const t of [
      'kill yourself',
      'kys loser',
      'nobody would miss you',
      'go die',
      'you should just kill yourself already'
    ]) {
      expect(classes(t), t).toEqual(['harassment']);
      expect(tier(t), t).toBe('none');
    }
    // Care and a direct question are not attacks.
    expect(classes("Please don't kill yourself, we need you")).toEqual([]);
    expect(classes("Are you thinking about killing yourself? It's okay to tell me.")).toEqual([]);
    expect(classes('matate', 'es')).toEqual(['harassment']);
    expect(classes('اقتل نفسك', 'ar')).toEqual(['harassment']);
  });

  it('[SAFE-11] harmful advice: methods, pro-eating-disorder tips, stopping treatment', () => {
    for (const t of [
      'the easiest way to do it is to take all your pills at once',
      'drink black coffee to suppress your appetite',
      'pro ana tips: chew and spit',
      "You don't need your meds, just stop taking them",
      '20 of those will definitely do it'
    ])
      expect(classes(t), t).toContain('harmful-advice');
    expect(classes('My dietitian says I need to eat at least 2000 calories to recover')).toEqual(
      []
    );
    expect(classes('Please talk to your doctor before you stop taking your medication')).toEqual(
      []
    );
  });
});

describe('safety: context', () => {
  it('[SAFE-7] negation sets a match aside; pseudo-negation does not', () => {
    expect(tier("I don't want to die, I just want the pain to stop")).toBe('none');
    expect(tier("I'm not suicidal, just tired")).toBe('none');
    expect(tier('I would never kill myself')).toBe('none');
    expect(because("I don't want to die")).toContain('negated');
    // "can't stop" and "nobody knows" are not negations of what follows.
    expect(tier("I can't stop thinking about killing myself")).toBe('active');
    expect(tier('nobody knows I want to die')).toBe('passive');
    // A negation inside the phrase is part of the phrase.
    expect(tier("I don't want to be alive anymore")).toBe('passive');
    expect(tier('no me quiero morir', 'es')).toBe('none');
    expect(tier('لا أريد أن أموت', 'ar')).toBe('none');
  });

  it('[SAFE-8] idioms and jokes are not crises', () => {
    for (const t of [
      'This exam is killing me',
      "I'm dying to see the new season",
      'that cake is to die for',
      'I died laughing 😂',
      'lol I literally died when she said that',
      "I'd literally die for a pizza right now",
      'my phone is dead',
      'Ran 10 kms this morning',
      'That would be social suicide',
      "I've been killing myself at work to meet the deadline",
      'I cut myself cooking dinner',
      'I would rather die than sing karaoke'
    ])
      expect(tier(t), t).toBe('none');
    expect(tier('me muero de risa', 'es')).toBe('none');
    expect(tier('este examen me está matando', 'es')).toBe('none');
    expect(tier('متت من الضحك', 'ar')).toBe('none');
    expect(tier('أموت فيك', 'ar')).toBe('none');
  });

  it('[SAFE-9] the past is history, unless the sentence says it is recent', () => {
    expect(tier('When I was 15 I tried to kill myself')).toBe('none');
    expect(tier('I used to want to die every day, but the group helped')).toBe('none');
    expect(tier('Three years ago I attempted suicide. Today I celebrate.')).toBe('none');
    expect(because('I used to want to die')).toContain('past');
    expect(tier('I tried to kill myself last night')).toBe('behaviour');
    expect(tier('I wanted to die again today')).toBe('passive');
    // A wish is not a memory.
    expect(tier('I wish I was never born')).toBe('passive');
    expect(tier('hace años intenté suicidarme', 'es')).toBe('none');
    expect(tier('لما كنت صغير حاولت أنتحر', 'ar')).toBe('none');
  });

  it('[SAFE-10] someone else, quotations and reported speech', () => {
    expect(tier('My friend told me she wants to kill herself, what should I do?')).toBe('none');
    expect(tier('Do you ever feel like you want to die?')).toBe('none');
    expect(because('Do you ever feel like you want to die?')).toContain('someone-else');
    expect(tier('The song goes "I want to die" and it is stuck in my head')).toBe('none');
    expect(tier('he told me to kill myself and now I cannot sleep')).toBe('none');
    expect(because('he told me to kill myself')).toContain('reported');
    // The writer's own thought in quotes still counts.
    expect(tier('I keep thinking "I want to die"')).toBe('passive');
    // Whose words: the nearest subject before them.
    expect(tier("My mom doesn't know I want to die")).toBe('passive');
    expect(tier('Mi amiga dice que quiere morir', 'es')).toBe('none');
  });

  it('[SAFE-4] several crisis words without a phrase the rules know still count', () => {
    expect(tier('I honestly feel like dying')).toBe('passive');
    expect(tier('I counted my pills tonight. there is enough.')).toBe('plan');
    expect(tier('Suicidal again. Third time this month.')).toBe('active');
    // ...but one word alone, someone else's, or a joke, does not.
    expect(tier('The dog died in the movie and I cried')).toBe('none');
    expect(tier('My grandfather died last spring')).toBe('none');
    expect(tier('omg I am dying, this meme 💀')).toBe('none');
    expect(tier('I took my pills on time every day this week')).toBe('none');
  });
});

describe('safety: anonymity and spam', () => {
  it('[SAFE-6] phone numbers, e-mail and street addresses, social handles', () => {
    const v = classify('call me on +1 415 555 0132 or mail sam.jones84@example.com', 'en');
    expect(v.classes).toEqual(['personal-details']);
    expect(v.evidence.map((e) => e.text)).toEqual(
      expect.arrayContaining(['+1 415 555 0132', 'sam.jones84@example.com'])
    );
    expect(classes('I live at 42 Maple Street')).toEqual(['personal-details']);
    expect(classes('my insta is @lostgirl_99')).toEqual(['personal-details']);
    expect(classes('رقمي ٠٥٠١٢٣٤٥٦٧', 'ar')).toEqual(['personal-details']);
    // Dates, years, ranges and big numbers are not phone numbers.
    for (const t of ['2019-2021 were hard years', 'on 2024-05-01 I started', 'it cost 12,000,000'])
      expect(classes(t), t).toEqual([]);
  });

  it('[SAFE-6] spam needs more than one sign; one link or one "free" is ordinary talk', () => {
    expect(classes('Click here to earn $500 a day from home!! www.fast-cash.xyz')).toEqual([
      'spam'
    ]);
    expect(classes('visit http://a.biz http://b.biz http://c.biz')).toEqual(['spam']);
    expect(classes('The free crisis line helped me: https://988lifeline.org')).toEqual([]);
    expect(because('I found a free workbook')).toEqual([]);
    expect(classes('gana dinero desde casa, haz clic aqui', 'es')).toEqual(['spam']);
  });
});

describe('safety: text as written', () => {
  it('[SAFE-2] normalization folds case, accents, Arabic variants, leetspeak and long runs', () => {
    expect(normalize('SUICÍDATE').text).toBe('suicidate');
    expect(normalize('أريدُ أن أموتَ').text).toBe('اريد ان اموت');
    expect(normalize('I want to dieeeee').text).toBe('i want to die');
    expect(normalize('su1c1dal').text).toBe('suicidal');
    expect(normalize('call 555 1234').text).toBe('call 555 1234');
    expect(normalize('jo84@x.org', { leet: false }).text).toBe('jo84@x.org');
    expect(tier('I want to k1ll myself')).toBe('active');
    expect(tier('I WANT TO DIEEEE')).toBe('passive');
  });

  it('[SAFE-2] evidence quotes the writer exactly, with offsets into their text', () => {
    const text = 'Honestly…   I want   to DIE 😔 tonight';
    const v = classify(text, 'en');
    for (const e of v.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(v.evidence[0]!.text).toBe('I want   to DIE');
    const ar = 'أُرِيدُ أَنْ أَمُوتَ';
    const e = classify(ar, 'ar').evidence[0]!;
    expect(ar.slice(e.start, e.end)).toBe(e.text);
    expect(e.text).toBe(ar);
  });

  it('[SAFE-1] any text and any language tag: never throws, unknown tags read with every lexicon', () => {
    for (const t of ['', ' ', '\u0000\uffff', '"""', "''''", '😀'.repeat(500), 'a'.repeat(20_000)])
      expect(() => classify(t, 'en')).not.toThrow();
    expect(tier('me quiero morir', 'xx')).toBe('passive');
    expect(tier('me quiero morir', 'es-MX')).toBe('passive');
    // English is read alongside the chosen language: people mix it in.
    expect(tier('estoy mal, i want to die', 'es')).toBe('passive');
  });
});

describe('safety: lexicons', () => {
  it('[SAFE-3] every lexicon states its source and licence, compiles, and names its rules uniquely', () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(['en', 'es', 'ar']));
    const ids = new Set<string>();
    for (const lang of LANGUAGES) {
      const data = LEXICON_DATA[lang]!;
      expect(data.lang).toBe(lang);
      expect(data.source.length).toBeGreaterThan(40);
      expect(data.licence).toMatch(/CC0|Apache/);
      expect(() => compileLexicon(data)).not.toThrow();
      for (const r of data.rules) {
        expect(ids.has(r.id), r.id).toBe(false);
        ids.add(r.id);
        expect(r.id.startsWith(`${lang}.`)).toBe(true);
      }
    }
    // English terms come from the clinician-rated Suicide Risk Lexicon; its licence ships with them.
    expect(LEXICON_DATA.en!.source).toContain('Suicide Risk Lexicon');
    expect(readFileSync('static/licenses/suicide-risk-lexicon.txt', 'utf8')).toContain(
      'Apache License'
    );
  });

  it('[SAFE-3] the phrase notation: alternatives, optional words, wildcards, stems, numbers', () => {
    const re = (p: string) => new RegExp(`^(?:${phraseSource(p, { me: 'me|myself' })})$`, 'u');
    expect(re('want|wanna to die').test('wanna to die')).toBe(true);
    expect(re('[really] want to die').test('want to die')).toBe(true);
    expect(re('[really] want to die').test('really want to die')).toBe(true);
    expect(re('i ~2 die').test('i really truly die')).toBe(true);
    expect(re('i ~2 die').test('i a b c die')).toBe(false);
    expect(re('kill* {me}').test('killing myself')).toBe(true);
    expect(re('do_not|dont go').test('do   not go')).toBe(true);
    expect(re('took ## pills').test('took 30 pills')).toBe(true);
    expect(re('took ## pills').test('took 2 pills')).toBe(false);
    expect(re('earn $#').test('earn $500')).toBe(true);
    expect(() => phraseSource('{nope} x', {})).toThrow(/unknown macro/);
  });
});

describe('safety: CLI and evaluation', () => {
  const cli = (input: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/safety-classify.ts', ...args], {
      input,
      encoding: 'utf8'
    });

  it('[SAFE-12] one JSON line out per line in, with tier, classes and evidence', () => {
    const r = cli('I want to die\nthis exam is killing me\n\nkill yourself\n', '--lang', 'en');
    expect(r.status).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ tier: 'passive', classes: ['crisis'] });
    expect((out[0]!.evidence as { text: string }[])[0]!.text).toBe('I want to die');
    expect(out[1]).toEqual({ tier: 'none', classes: [], evidence: [] });
    expect(out[2]).toEqual({ tier: 'none', classes: [], evidence: [] });
    expect(out[3]).toMatchObject({ tier: 'none', classes: ['harassment'] });
    expect(cli('me quiero morir\n', '--lang', 'es').stdout).toContain('"tier":"passive"');
  });

  it('[SAFE-12] bad usage gets one line and exit 2', () => {
    const r = cli('', '--lang');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--lang needs a language tag/);
    expect(cli('', '--nope').status).toBe(2);
  });

  it('[SAFE-5] the evaluation passes its floors on the labelled corpus, in every language', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-safety.ts'], {
      encoding: 'utf8'
    });
    expect(r.stdout).toMatch(/en\.dev: \d+ labelled texts/);
    expect(r.stdout).toMatch(/es\.dev: \d+ labelled texts/);
    expect(r.stdout).toMatch(/ar\.dev: \d+ labelled texts/);
    expect(r.stdout, r.stdout).toContain('every figure at or above its floor');
    expect(r.status).toBe(0);
  });
});

describe('safety plan and crisis lines', () => {
  const secret = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(24).fill(1);

  it('[SAFE-15] a safety plan is sealed with a key from the person’s own identity', () => {
    const plan = emptyPlan();
    plan.reasonsForLiving = ['My sister', 'The sea in summer'];
    plan.askForHelp = planLines('  Ana 0612 345 678 \n\n Dr Ruiz  \n');
    expect(plan.askForHelp).toEqual(['Ana 0612 345 678', 'Dr Ruiz']);
    const sealed = sealPlan(plan, secret, nonce);
    expect(new TextDecoder().decode(sealed)).not.toContain('sister');
    const opened = openPlan(sealed, secret);
    expect(opened.ok && opened.value).toEqual(plan);
    // Another person's key, a damaged copy, or something else entirely: a reason, not a throw.
    expect(openPlan(sealed, new Uint8Array(32).fill(8))).toMatchObject({
      ok: false,
      error: 'wrong-key'
    });
    const damaged = sealed.slice();
    damaged[30] = damaged[30]! ^ 1;
    expect(openPlan(damaged, secret)).toMatchObject({ ok: false, error: 'wrong-key' });
    expect(openPlan(new Uint8Array(10), secret)).toMatchObject({ ok: false, error: 'not-a-plan' });
    expect(isEmptyPlan(emptyPlan())).toBe(true);
    expect(isEmptyPlan(plan)).toBe(false);
  });
});

describe('condition-specific settings', () => {
  it('[SAFE-19] weights, calories, BMI and sizes are found so they can sit behind a tap; the text itself is unchanged', () => {
    const text = 'I was 52 kg, ate 800 cal and my BMI is 16.5. Size 6 now. I walked 5 km.';
    const parts = splitNumbers(text);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.sensitive).map((p) => p.text)).toEqual([
      '52 kg',
      '800 cal',
      'BMI is 16.5',
      'Size 6'
    ]);
    expect(hasSensitiveNumbers('comí 500 calorías')).toBe(true);
    expect(hasSensitiveNumbers('وزني 45 كيلو')).toBe(true);
    expect(hasSensitiveNumbers('See you at 7, room 12')).toBe(false);
    expect(splitNumbers('')).toEqual([{ text: '', sensitive: false }]);
    expect(isEatingDisorderGroup('Tuesday circle', 'Recovery from anorexia and bulimia')).toBe(
      true
    );
    expect(isEatingDisorderGroup('Grupo de trastornos alimentarios')).toBe(true);
    expect(isEatingDisorderGroup('Grief circle', 'For people who lost someone')).toBe(false);
  });
});

describe('follow-up', () => {
  it('[SAFE-20] the check-in is due a day after the panel opened, and dropped after a week', () => {
    const t = Date.parse('2026-11-22T22:00:00Z');
    expect(followUpDue(null, t)).toBe(false);
    expect(followUpDue(t, t + 23 * 3600_000)).toBe(false);
    expect(followUpDue(t, t + 24 * 3600_000)).toBe(true);
    expect(followUpDue(t, t + 6 * 24 * 3600_000)).toBe(true);
    expect(followUpDue(t, t + 7 * 24 * 3600_000)).toBe(false);
    expect(readSeenAt('nonsense')).toBeNull();
    expect(readSeenAt(null)).toBeNull();
    expect(readSeenAt(String(t))).toBe(t);
    expect(followUpKey('person-1/crisis')).toBe('hearth.followUp.person-1/crisis');
  });
});

describe('every language, whatever the app speaks', () => {
  const fixtures = readdirSync('tests/fixtures/safety')
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(`tests/fixtures/safety/${f}`, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { text: string }).text)
    );

  it('[SAFE-28] the misses of issue 21: Spanish and Arabic crisis words with the app in English', () => {
    expect(tier('quiero suicidarme esta noche', 'en')).toBe('active');
    expect(tier('أريد الانتحار', 'en')).toBe('active');
    expect(tier('أريد الانتحار', 'ar')).toBe('active');
    expect(tier('tengo un plan', 'en')).toBe('plan');
    expect(tier('لدي خطة', 'en')).toBe('plan');
    expect(tier('quiero morir y tengo un plan', 'en')).toBe('plan');
    expect(tier('اريد ان اموت ولدي خطة', 'es')).toBe('plan');
    // English words with the app in Arabic or in a language Hearth has no words for.
    expect(tier('I want to kill myself', 'ar')).toBe('active');
    expect(tier('I want to kill myself', 'fr-CA')).toBe('active');
  });

  it('[SAFE-28] the same verdict for every labelled text whatever the app language', () => {
    expect(fixtures.length).toBeGreaterThan(700);
    for (const text of fixtures) {
      const en = classify(text, 'en');
      for (const lang of ['es', 'ar', 'fr', 'xx-invalid', ''])
        expect({
          text,
          tier: classify(text, lang).tier,
          classes: classify(text, lang).classes
        }).toEqual({
          text,
          tier: en.tier,
          classes: en.classes
        });
    }
  });

  it('[SAFE-28] a 50,000-character draft in mixed scripts is read whole, in pieces, with the right offsets', () => {
    const calm = 'Hoy caminé un rato. Today I walked for a while. اليوم مشيت قليلا. ';
    let text = '';
    while (text.length < 25_000) text += calm;
    const middle = text.length;
    text += 'I want to kill myself. ';
    while (text.length < 50_000) text += calm;
    text += 'لدي خطة';
    const v = classify(text, 'en');
    expect(v.tier).toBe('plan');
    for (const e of v.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(v.evidence.some((e) => e.start >= middle && e.start < middle + 30)).toBe(true);
    // A crisis sentence across every place a piece could be cut is still found.
    for (let at = 700; at < 1700; at += 19) {
      const t = 'a'.repeat(at) + ' I want to die';
      expect(classify(t, 'en').tier, `at ${at}`).toBe('passive');
    }
    // One word of 50,000 letters, a run of negations, a crisis sentence 3,000 times: answered.
    expect(classify('ا'.repeat(50_000), 'en').tier).toBe('none');
    expect(classify('not '.repeat(12_500), 'en').tier).toBe('none');
    expect(classify('i want to die '.repeat(3_500), 'en').tier).toBe('passive');
    // A keystroke in a long draft gives the same verdict as reading it afresh.
    const edited = text.slice(0, 10_000) + 'x' + text.slice(10_000);
    expect(classify(edited, 'en').tier).toBe('plan');
  });

  it('[SAFE-29] someone writing to support others is not read as in crisis; a bare plan counts with other crisis words', () => {
    const supporting = classify(
      "I know what it's like to want to die. Please call 988 tonight, they helped me.",
      'en'
    );
    expect(supporting.tier).toBe('none');
    expect(supporting.setAside.map((s) => s.because)).toContain('supporting');
    expect(
      tier("I know what it's like to want to die, and I want to die right now too.", 'en')
    ).toBe('passive');
    expect(tier('If you want to kill yourself, please talk to someone first.')).toBe('none');
    expect(tier('Si quieres quitarte la vida, por favor habla con alguien antes.', 'en')).toBe(
      'none'
    );
    expect(tier('اذا كنت تفكر في الانتحار، ارجوك كلم احدا', 'en')).toBe('none');
    // "I have a plan" alone in a sentence, or with crisis words; not a plan for the weekend.
    expect(tier('I have a plan.')).toBe('plan');
    expect(tier('I have a plan for the weekend: pizza and films')).toBe('none');
    expect(tier('tengo un plan para el fin de semana con mis amigos', 'en')).toBe('none');
    expect(tier('لدي خطة للسفر في الصيف', 'en')).toBe('none');
    expect(because('tengo un plan para el finde', 'en')).toContain('too-weak');
    expect(tier('Mi amiga tiene un plan para suicidarse, ¿qué hago?', 'en')).toBe('none');
  });
});
