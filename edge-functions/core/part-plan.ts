/**
 * How a multipart upload is cut into parts (docs/large-files.md): S3 allows at most
 * 10,000 parts, each at least 5 MiB but the last. We use whole MiB, at least
 * 8 MiB (fewer, larger requests), and just enough to stay within 10,000 parts.
 */
import { MiB } from './upload-rules';

export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 8 * MiB;

export interface PartPlan {
  readonly partSize: number;
  readonly partCount: number;
}

export function planParts(size: number): PartPlan {
  const partSize = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  return { partSize, partCount: Math.ceil(size / partSize) };
}

/** Bytes in part `partNumber` (1-based): partSize, except the last, which is the remainder. */
export function partLength(plan: PartPlan & { readonly size: number }, partNumber: number): number {
  return partNumber < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
}
