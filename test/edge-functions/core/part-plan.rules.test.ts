/**
 * The rules of the part plan (docs/large-files.md): whole MiB parts of at
 * least 8 MiB, at most 10,000 of them, and the exact length of each part,
 * which the parts route signs as its Content-Length.
 */
import { MAX_PARTS, MIN_PART_SIZE, partLength, planParts } from '../../../edge-functions/core/part-plan';

const MiB = 1024 * 1024;

describe('partLength', () => {
  it('gives every part but the last the full partSize, and the last the remainder', () => {
    const size = 20 * MiB + 5;
    const plan = { ...planParts(size), size };
    expect(plan).toEqual({ size, partSize: 8 * MiB, partCount: 3 });
    expect([1, 2, 3].map((partNumber) => partLength(plan, partNumber))).toEqual([8 * MiB, 8 * MiB, 4 * MiB + 5]);
  });

  it('gives a one-part upload the whole file', () => {
    expect(partLength({ ...planParts(1234), size: 1234 }, 1)).toBe(1234);
  });

  it('gives the last part a full partSize when the size divides evenly', () => {
    const size = 3 * 8 * MiB;
    expect(partLength({ ...planParts(size), size }, 3)).toBe(8 * MiB);
  });
});

describe('planParts', () => {
  it('keeps S3 limits: at most 10,000 parts of at least 8 MiB', () => {
    expect([MAX_PARTS, MIN_PART_SIZE]).toEqual([10_000, 8 * MiB]);
  });

  it('grows the part by whole MiB only once 10,000 parts of 8 MiB no longer hold the file', () => {
    expect(planParts(MAX_PARTS * 8 * MiB)).toEqual({ partSize: 8 * MiB, partCount: MAX_PARTS });
    expect(planParts(MAX_PARTS * 8 * MiB + 1)).toEqual({ partSize: 9 * MiB, partCount: Math.ceil((MAX_PARTS * 8 * MiB + 1) / (9 * MiB)) });
  });
});
