/**
 * CRC-32 as PNG uses it (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320,
 * reflected, initial and final XOR 0xFFFFFFFF), for checking the IHDR chunk.
 * Pure (no node:zlib) so the core stays free of Node APIs.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
