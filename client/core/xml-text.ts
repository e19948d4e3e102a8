/**
 * Reading S3's small XML answers (ListObjectsV2, GetObjectTagging, the
 * multipart answers, `<Error>`) without a DOM, so the same code runs in the
 * browser, in a worker and under Node. Only what these answers need: an
 * element's inner XML and an element's text with XML's entities decoded.
 */

/** The inner XML of the first `<name>` element (attributes allowed), or undefined. */
export function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}\\b[^>]*>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

/** The text of the first `<name>` element, entities decoded and trimmed, or undefined. */
export function text(xml: string, name: string): string | undefined {
  const inner = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
  return inner === undefined ? undefined : unescapeXml(inner).trim();
}

const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** XML's five named entities and numeric references; anything else (or an invalid code point) is left as written. */
export function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    const point = entity.startsWith('#x')
      ? parseInt(entity.slice(2), 16)
      : entity.startsWith('#')
        ? parseInt(entity.slice(1), 10)
        : Number.NaN;
    if (Number.isInteger(point) && point >= 0 && point <= 0x10ffff) return String.fromCodePoint(point);
    return ENTITIES.get(entity) ?? whole;
  });
}
