/**
 * Non-text contrast (WCAG 2.1 SC 1.4.11: 3:1), which axe does not check: the
 * colour of a focus ring, an input's border or a drawn circle, read from the
 * page's computed styles, against the colour actually behind it (the
 * background colours of its ancestors, composited, since most are
 * transparent), with the WCAG relative-luminance formula.
 */
import type { Page } from 'playwright-core';

export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  /** 0 to 1. */
  readonly a: number;
}

/** A computed colour as Chromium reports it: `rgb(r, g, b)`, `rgba(r, g, b, a)`, the space-separated forms, or `transparent`. Anything else throws, so a colour the helper cannot read never passes. */
export function parseCssColor(text: string): Rgba {
  const value = text.trim().toLowerCase();
  if (value === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const match = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value);
  if (match === null) throw new Error(`not a colour this helper reads: ${text}`);
  const alpha = match[4] === undefined ? 1 : match[4].endsWith('%') ? Number(match[4].slice(0, -1)) / 100 : Number(match[4]);
  return { r: Number(match[1]), g: Number(match[2]), b: Number(match[3]), a: alpha };
}

/** `top` painted over an opaque `bottom`. */
export function composite(top: Rgba, bottom: Rgba): Rgba {
  const mix = (over: number, under: number) => over * top.a + under * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/** WCAG 2.x relative luminance of an opaque sRGB colour. */
export function relativeLuminance(colour: Rgba): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrastRatio(one: Rgba, other: Rgba): number {
  const [light, dark] = [relativeLuminance(one), relativeLuminance(other)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The opaque colour a stack of background colours shows, topmost first (the page's canvas under them all). */
export function backdrop(backgroundsTopFirst: readonly string[], canvas: Rgba): Rgba {
  return [...backgroundsTopFirst].reverse().reduce<Rgba>((under, css) => composite(parseCssColor(css), under), canvas);
}

export type ColourPart = 'outline' | 'border' | 'before-border';

export interface MeasuredPart {
  readonly what: string;
  /** The part's colour as computed (before compositing). */
  readonly colour: string;
  /** outline-style / border-style of the part: 'none' means nothing is drawn. */
  readonly style: string;
  /** Its width in CSS px. */
  readonly width: number;
  /** Contrast with the colour just outside the part (the ancestors' backgrounds). */
  readonly outside: number;
  /** Contrast with the colour just inside it (the element's own background over the outside); the same as `outside` for an outline. */
  readonly inside: number;
}

interface ReadInPage {
  colour: string;
  style: string;
  width: string;
  own: string;
  ancestors: string[];
  dark: boolean;
}

/**
 * Reads `part` of the element `selector` finds (the first), and what is
 * behind it, from the page's computed styles, and gives its contrast with
 * both sides. The canvas under the root is white, or black in dark mode
 * (the site paints its body opaque in both, so the canvas never shows).
 */
export async function measurePart(page: Page, selector: string, part: ColourPart): Promise<MeasuredPart> {
  const read = (await page.evaluate(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    if (element === null) return null;
    const part = ${JSON.stringify(part)};
    const style = getComputedStyle(element, part === 'before-border' ? '::before' : null);
    const ancestors = [];
    for (let at = element.parentElement; at !== null; at = at.parentElement) ancestors.push(getComputedStyle(at).backgroundColor);
    return {
      colour: part === 'outline' ? style.outlineColor : style.borderTopColor,
      style: part === 'outline' ? style.outlineStyle : style.borderTopStyle,
      width: part === 'outline' ? style.outlineWidth : style.borderTopWidth,
      own: part === 'before-border' ? style.backgroundColor : getComputedStyle(element).backgroundColor,
      ancestors,
      dark: matchMedia('(prefers-color-scheme: dark)').matches,
    };
  })()`)) as ReadInPage | null;
  if (read === null) throw new Error(`nothing matches ${selector}`);
  const canvas = read.dark ? { r: 0, g: 0, b: 0, a: 1 } : { r: 255, g: 255, b: 255, a: 1 };
  const outsideColour = backdrop(read.ancestors, canvas);
  // The part itself may be translucent: what the eye sees is it over the outside.
  const drawn = composite(parseCssColor(read.colour), outsideColour);
  const outside = contrastRatio(drawn, outsideColour);
  const inside = part === 'outline' ? outside : contrastRatio(drawn, composite(parseCssColor(read.own), outsideColour));
  return { what: `${selector} ${part}`, colour: read.colour, style: read.style, width: Number.parseFloat(read.width), outside, inside };
}
