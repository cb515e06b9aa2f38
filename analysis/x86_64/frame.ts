// The stack frame of one function during its dataflow: what each stack slot holds, keyed by its
// offset from rsp at entry. This is how a value survives a spill and a reload across a call (Go's
// syscall.Syscall keeps the number in its frame while it calls entersyscall) and how stack
// arguments reach a callee (Go's ABI0 wrappers read the number at [rsp+8]).
//
// It is sound only while nothing but the function itself can write its frame: once a stack
// address escapes (decoder: Effect.escapes), the dataflow forgets the frame at every call, syscall
// and store through an unknown pointer; a call forgets every slot its callee may write.
//
// Frames are immutable maps shared between program points (copies are needed at every block of
// every function, writes are rare); a FrameWriter copies the map before the first write of a walk.
import { join, sameValue, to32, STACK_ARG_BASE, STACK_ARGS, type Abstract } from './values.js';

interface Slot {
  size: number;
  value: Abstract;
}

export type Frame = ReadonlyMap<number, Slot>;

/** The frame at function entry: the return address at 0, then the stack arguments. */
export const ENTRY_FRAME: Frame = new Map(Array.from({ length: STACK_ARGS }, (_, k) => [8 + 8 * k, { size: 8, value: { arg: STACK_ARG_BASE + k } }] as const));

/** A frame of which nothing is known. */
export const EMPTY_FRAME: Frame = new Map();

/** The value of `size` bytes at `offset` (4-byte reads of an 8-byte slot are its low half). */
export function frameLoad(f: Frame, offset: number, size: number): Abstract {
  const s = f.get(offset);
  if (!s || size > s.size || (size !== 8 && size !== 4)) return null;
  return size === s.size ? s.value : to32(s.value);
}

/**
 * Joins frame `b` into `a`: a slot survives when both hold it with the same size; `widen` forgets
 * slots whose value changed. Returns `a` itself when nothing changed.
 */
export function joinFrames(a: Frame, b: Frame, widen: boolean): Frame {
  if (a === b || a.size === 0) return a;
  let out: Map<number, Slot> | undefined;
  for (const [off, s] of a) {
    const o = b.get(off);
    let next: Slot | undefined = s;
    if (!o || o.size !== s.size) next = undefined;
    else if (!sameValue(s.value, o.value)) {
      const j = join(s.value, o.value);
      next = widen || j === null ? undefined : { size: s.size, value: j };
    }
    if (next === s) continue;
    out ??= new Map(a);
    if (next) out.set(off, next);
    else out.delete(off);
  }
  return out ?? a;
}

/** The frame of one walk through a block: reads the shared map, copies it before its first write. */
export class FrameWriter {
  frame: Frame = EMPTY_FRAME;
  private owned = false;

  /** Starts a walk from `frame` (which stays unchanged). */
  reset(frame: Frame): void {
    this.frame = frame;
    this.owned = false;
  }

  /** The current frame, to be kept by a program point: further writes copy it first. */
  share(): Frame {
    this.owned = false;
    return this.frame;
  }

  private writable(): Map<number, Slot> {
    if (!this.owned) {
      this.frame = new Map(this.frame);
      this.owned = true;
    }
    return this.frame as Map<number, Slot>;
  }

  /** Writes `size` bytes at `offset`: slots it overlaps are forgotten, then it holds `value`. */
  store(offset: number, size: number, value: Abstract): void {
    const old = this.frame.get(offset);
    if (old && old.size === size && value !== null && sameValue(old.value, value)) return;
    this.forget(offset, offset + size);
    if (value !== null && (size === 8 || size === 4)) this.writable().set(offset, { size, value });
  }

  /** Forgets the slots overlapping [from, to). */
  forget(from: number, to: number): void {
    for (const [off, s] of this.frame) if (off < to && off + s.size > from) this.writable().delete(off);
  }

  /** Forgets every slot below `to` (a callee that may write anywhere under its caller's entry rsp). */
  forgetBelow(to: number): void {
    for (const off of this.frame.keys()) if (off < to) this.writable().delete(off);
  }

  clear(): void {
    if (this.frame.size === 0) return;
    this.frame = EMPTY_FRAME;
    this.owned = false;
  }
}
