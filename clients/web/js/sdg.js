// The 17 SDGs: UN colours and names. The plan's view (sdg_coverage) carries names and colours
// from the engine's reference data; this table is the fallback before a view has arrived and
// for plans whose coverage is missing a goal. Latvian names are given only where confirmed;
// elsewhere the English UN short name stands in.
import { lang } from './i18n.js';

const GOALS = [
  [1, '#e5243b', 'No Poverty', null],
  [2, '#dda63a', 'Zero Hunger', null],
  [3, '#4c9f38', 'Good Health and Well-being', 'Laba veselība un labklājība'],
  [4, '#c5192d', 'Quality Education', 'Kvalitatīva izglītība'],
  [5, '#ff3a21', 'Gender Equality', 'Dzimumu līdztiesība'],
  [6, '#26bde2', 'Clean Water and Sanitation', null],
  [7, '#fcc30b', 'Affordable and Clean Energy', null],
  [8, '#a21942', 'Decent Work and Economic Growth', null],
  [9, '#fd6925', 'Industry, Innovation and Infrastructure', null],
  [10, '#dd1367', 'Reduced Inequalities', null],
  [11, '#fd9d24', 'Sustainable Cities and Communities', null],
  [12, '#bf8b2e', 'Responsible Consumption and Production', null],
  [13, '#3f7e44', 'Climate Action', 'Rīcība klimata jomā'],
  [14, '#0a97d9', 'Life Below Water', null],
  [15, '#56c02b', 'Life on Land', null],
  [16, '#00689d', 'Peace, Justice and Strong Institutions', 'Miers, taisnīgums un stipras un iekļaujošas institūcijas'],
  [17, '#19486a', 'Partnerships for the Goals', null],
];

const fallback = new Map(GOALS.map(([n, colour, en, lv]) => [n, { goal: n, colour, name: { en, lv: lv || en } }]));
let fromView = new Map();

/** Takes names and colours from a view's sdg_coverage. */
export function learnFromView(view) {
  const m = new Map();
  for (const c of view?.sdg_coverage || []) if (c && c.goal) m.set(c.goal, c);
  if (m.size) fromView = m;
}

export const GOAL_NUMBERS = GOALS.map((g) => g[0]);

export function goalColour(n) { return fromView.get(n)?.colour || fallback.get(n)?.colour || '#666'; }

export function goalName(n) {
  const names = fromView.get(n)?.name || fallback.get(n)?.name;
  if (!names) return `SDG ${n}`;
  return names[lang()] || names.en || `SDG ${n}`;
}

/** Relative luminance (WCAG 2.1) of "#rrggbb". */
export function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#111111';

/**
 * The text colour that reads better on the goal's colour, measured against the two text colours
 * really used (every UN goal colour reaches 4.5:1 with one of them: goal 1 only with white).
 */
export function goalTextColour(n) {
  const bg = goalColour(n);
  return contrast(bg, LIGHT_TEXT) >= contrast(bg, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}
