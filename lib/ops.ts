// The addon's op registry (cpp/ops.h) and code limits (cpp/program.h), read from the addon once:
// lib/ writes activation codes from them and never repeats their numbers.
import { native } from './native';

/** One row of the registry. */
export interface OpRow {
  readonly name: string;
  readonly params: number;
  readonly trainable: boolean;
  readonly cheap: boolean;
  /** Where the slope may cancel (cpp/types.h, SlopeZone): [lo, hi], empty when lo > hi; absent: anywhere. */
  readonly slopeZone?: readonly [number, number];
  /** The parameters slopeZone is stated at. */
  readonly slopeAt?: readonly number[];
}
/** The shape of an activation code. */
export interface Limits {
  readonly codeWidth: number;
  readonly blendCode: number;
  readonly maxNodes: number;
  readonly maxDepth: number;
  readonly maxParams: number;
}

let table: { ops: Map<string, { code: number; row: OpRow }>; limits: Limits } | undefined;

function registry(): NonNullable<typeof table> {
  if (table) return table;
  const n = native();
  const ops = new Map<string, { code: number; row: OpRow }>();
  (n.ops as OpRow[]).forEach((row, code) => {
    ops.set(row.name, { code, row: Object.freeze({ ...row }) });
  });
  table = { ops, limits: Object.freeze({ ...(n.limits as Limits) }) };
  return table;
}

/** The limits of an activation code (blends at most maxDepth deep, maxNodes activations). */
export const limits = (): Limits => registry().limits;

/** The registry row of op `name`, with its number in a code; undefined where the addon has none. */
export function opOf(name: string): { code: number; row: OpRow } | undefined {
  return registry().ops.get(name);
}

/** One node of a code: [op, ...params], zero-filled to the code width. */
export function opCode(name: string, params: readonly number[]): number[] {
  const op = opOf(name);
  if (!op || op.row.params !== params.length)
    throw new Error(`activation-kernels: this addon has no op ${name} with ${params.length} parameters; rebuild it`);
  const width = limits().codeWidth;
  return [op.code, ...params, ...new Array<number>(width - 1 - params.length).fill(0)];
}
