/**
 * Numbers that can hurt in an eating-disorder group — weights, calories, BMI, clothing sizes — found
 * so the app can put them behind a tap [SAFE-19]. The text is never changed, only shown in parts.
 */
export interface Segment {
  text: string;
  /** A weight, calorie count, BMI or size: shown only when the reader asks. */
  sensitive: boolean;
}

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const PATTERNS = [
  // Weights: 52 kg, 115lbs, 8 stone 4, 50 kilos, 60 كيلو
  String.raw`${NUMBER}\s?(?:kg|kgs|kilo|kilos|kilograms?|lb|lbs|pounds?|st|stone|كيلو|كغ|كجم)(?![\p{L}])(?:\s?${NUMBER}(?:\s?(?:lb|lbs|pounds?))?)?`,
  // Calories: 800 cal, 1200 kcal, 500 calorías, 300 سعرة
  String.raw`${NUMBER}\s?(?:cal|cals|calories|calorie|kcal|calorias|calorías|caloria|caloría|سعره|سعرة|سعرات|كالوري)(?![\p{L}])`,
  // BMI 16.5, IMC 17
  String.raw`(?:bmi|imc)\s?(?:of|de|is|es|:)?\s?${NUMBER}`,
  // Sizes: size 6, talla 34, waist 24 inches
  String.raw`(?:size|talla|مقاس)\s?${NUMBER}`,
  String.raw`${NUMBER}\s?(?:inch|inches|in|cm)\s(?:waist|thighs?|cintura)`
];
const RE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${PATTERNS.join('|')})`, 'giu');

export function splitNumbers(text: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of text.matchAll(RE)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), sensitive: false });
    out.push({ text: m[0], sensitive: true });
    at = m.index + m[0].length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), sensitive: false });
  return out;
}

export const hasSensitiveNumbers = (text: string): boolean =>
  splitNumbers(text).some((s) => s.sensitive);

/** Words in a group's name or description that say it is about eating disorders. */
const EATING =
  /\b(?:eating|anorexi\w*|bulimi\w*|binge|arfid|ed recovery|trastornos? (?:de la )?(?:conducta )?alimentari\w*|anorexia|bulimia|اضطرابات? الاكل|اضطرابات? الأكل|فقدان الشهية)\b/iu;

/** Whether a group reads as an eating-disorder group: numbers start hidden there [SAFE-19]. */
export const isEatingDisorderGroup = (...texts: (string | undefined)[]): boolean =>
  texts.some((t) => !!t && EATING.test(t));
