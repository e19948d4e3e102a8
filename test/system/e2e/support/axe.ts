/**
 * axe-core in the test browser only. The page's CSP refuses inline and
 * injected <script> elements (playwright's addScriptTag is one), so axe's
 * source is evaluated through DevTools (`page.evaluate` of the source text =
 * CDP Runtime.evaluate), which the CSP does not govern. The site's own CSP
 * stays exactly as strict as in production: no bypassCSP anywhere.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** Runs axe (WCAG 2.x A/AA and best practices) on the page as it is now; returns the violations, labelled with `state`. */
export async function axeViolations(page: Page, state: string): Promise<Array<AxeViolation & { state: string }>> {
  const loaded = (await page.evaluate('typeof window.axe')) === 'object';
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const json =
    (await page.evaluate(`axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
    .then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }))))`)) as string;
  return (JSON.parse(json) as AxeViolation[]).map((violation) => ({ ...violation, state }));
}

/** Fails the test with every violation listed, so one run shows them all. */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  expect(await axeViolations(page, state)).toEqual([]);
}

export interface AxeVariant {
  readonly width: number;
  readonly colorScheme: 'light' | 'dark';
}

/** Desktop width and a 375 px phone, each in light and dark mode. */
export const EVERY_VARIANT: readonly AxeVariant[] = [
  { width: 1100, colorScheme: 'light' },
  { width: 1100, colorScheme: 'dark' },
  { width: 375, colorScheme: 'light' },
  { width: 375, colorScheme: 'dark' },
];

/**
 * Runs axe on the page as it is now at each width and colour scheme (the
 * same page, resized and with prefers-color-scheme emulated, so a state that
 * is hard to reach, such as an upload held halfway, is reached once), then
 * puts the viewport and the colour scheme back. Fails with every violation
 * of every variant, each labelled.
 */
export async function expectAccessibleEverywhere(
  page: Page,
  state: string,
  variants: readonly AxeVariant[] = EVERY_VARIANT,
): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1100, height: 860 };
  const wasDark = (await page.evaluate(`matchMedia('(prefers-color-scheme: dark)').matches`)) as boolean;
  const violations: Array<AxeViolation & { state: string }> = [];
  try {
    for (const variant of variants) {
      await page.setViewportSize({ width: variant.width, height: viewport.height });
      await page.emulateMedia({ colorScheme: variant.colorScheme });
      expect(await page.evaluate(`matchMedia('(prefers-color-scheme: dark)').matches`)).toBe(variant.colorScheme === 'dark');
      expect(await page.evaluate('window.innerWidth')).toBe(variant.width);
      violations.push(...(await axeViolations(page, `${state} (${variant.width} px, ${variant.colorScheme})`)));
    }
  } finally {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: wasDark ? 'dark' : 'light' });
  }
  expect(violations).toEqual([]);
}
