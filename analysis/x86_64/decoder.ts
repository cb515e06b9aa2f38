// x86-64 decoding with iced-x86, reduced to what the analysis needs: control flow, code pointers
// and each instruction's effect on the general-purpose registers.
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';
import { gprIndex, gprWidth, CALLER_SAVED_MASK, RAX, RCX, R11 } from './registers.js';

// iced-x86's npm package is CommonJS with a synchronously instantiated wasm module.
const iced = createRequire(import.meta.url)('iced-x86') as typeof Iced;
const { Decoder, DecoderOptions, Instruction, InstructionInfoFactory, Mnemonic, FlowControl, OpKind, OpAccess, Code, Register } = iced;

export const enum Kind {
  Other = 0,
  Jmp = 1,
  Jcc = 2,
  JmpIndirect = 3,
  Call = 4,
  CallIndirect = 5,
  Ret = 6,
  Syscall = 7,
  /** Ends the path: hlt, ud2, int3, invalid bytes. */
  Stop = 8,
  Invalid = 9,
}

/** Register effect: `clobber` registers become unknown, then `dst` (if >= 0) receives `src`. */
export interface Effect {
  clobber: number;
  dst: number;
  /**
   * 0 nothing, 1 constant `imm`, 2 copy of register `reg`, 3 dst + imm, 4 zero-extended 32-bit copy of `reg`,
   * 5 the 8 bytes loaded from RIP-relative address `imm` (`mov r64, [rip+X]`): not a number, only the
   * slot dataflow (which register holds a GOT load at a register call) gives it a meaning.
   */
  src: number;
  imm: number;
  reg: number;
}

/** One decoded instruction, reduced. */
export interface Insn {
  addr: number;
  len: number;
  kind: Kind;
  /** Direct branch or call target. */
  target: number;
  /** RIP-relative memory address of an indirect branch/call operand ([rip+X]), or -1. */
  memTarget: number;
  /** Constants that may be code pointers: rip-relative lea targets and immediates. */
  pointers: number[] | undefined;
  /** RIP-relative memory operand of a non-branch instruction (e.g. a GOT slot read), or -1. */
  memRef: number;
  /** For `call reg` / `jmp reg` with a 64-bit register operand: its hardware index, else -1. */
  branchReg: number;
  effect: Effect | undefined;
}

interface CodeInfo {
  /** Per explicit operand: register written. */
  opWritten: boolean[];
  /** Implicitly written GPRs (mask), excluding rsp. */
  implicit: number;
}

const NO_EFFECT: Effect | undefined = undefined;
const infoFactory = new InstructionInfoFactory();
const codeInfo = new Map<number, CodeInfo>();
const RSP_MASK = 1 << 4;

function isWrite(access: number): boolean {
  return access === OpAccess.Write || access === OpAccess.CondWrite || access === OpAccess.ReadWrite || access === OpAccess.ReadCondWrite;
}

// Which registers an instruction form writes depends on its Code, its rep prefix and on which operands are
// registers (`mov [m], esi` and `mov eax, esi` share a Code), so the expensive InstructionInfo
// query runs once per (Code, operand kinds), not once per instruction. A form whose implicit
// writes can coincide with its explicit ones is never cached.
function infoFor(ins: Iced.Instruction, kinds: number[]): CodeInfo {
  const opCount = kinds.length;
  const code = ins.code;
  let key = code * 32;
  for (let i = 0; i < opCount && i < 5; i++) if (kinds[i] === OpKind.Register) key += 1 << i;
  key = key * 4 + repBits(ins, code);
  let ci = codeInfo.get(key);
  if (ci) return ci;
  const info = infoFactory.info(ins);
  const opWritten: boolean[] = [];
  let explicitWritten = 0;
  for (let i = 0; i < opCount; i++) {
    const w = kinds[i] === OpKind.Register && isWrite(info.opAccess(i));
    opWritten.push(w);
    if (w) {
      const g = gprIndex(ins.opRegister(i));
      if (g >= 0) explicitWritten |= 1 << g;
    }
  }
  let written = 0;
  for (const u of info.usedRegisters() as Iced.UsedRegister[]) {
    const g = gprIndex(u.register);
    if (g >= 0 && isWrite(u.access)) written |= 1 << g;
    u.free();
  }
  info.free();
  const implicit = written & ~explicitWritten;
  ci = { opWritten, implicit: implicit & ~RSP_MASK };
  // cmpxchg writes the accumulator implicitly and its first operand explicitly: when they are the
  // same register the instance hides the implicit write, so this form is never cached.
  if (ins.mnemonic !== Mnemonic.Cmpxchg) codeInfo.set(key, ci);
  return ci;
}

const stringCodes = new Map<number, boolean>();

// A rep prefix makes a string instruction write rcx too (`rep movsq` vs `movsq`, one Code): the
// prefix is part of the form, or whichever was decoded first would decide for both.
function repBits(ins: Iced.Instruction, code: number): number {
  let isString = stringCodes.get(code);
  if (isString === undefined) stringCodes.set(code, (isString = ins.isStringInstruction));
  return isString ? (ins.hasRepPrefix ? 1 : 0) | (ins.hasRepnePrefix ? 2 : 0) : 0;
}

function signed64(b: bigint): number {
  return Number(BigInt.asIntN(64, b));
}

/** A decoder over one object's bytes; `base` is the virtual address of bytes[0]. */
export class X86Decoder {
  private readonly decoder: Iced.Decoder;
  private readonly ins = new Instruction();
  private nextPos = -1;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
  ) {
    this.decoder = new Decoder(64, bytes, DecoderOptions.None);
  }

  /** Releases the wasm memory held by the decoder. */
  free(): void {
    this.decoder.free();
    this.ins.free();
  }

  /** Decodes the instruction at `addr`, or undefined when `addr` is outside the bytes. */
  decode(addr: number): Insn | undefined {
    const pos = addr - this.base;
    if (pos < 0 || pos >= this.bytes.length) return undefined;
    const d = this.decoder;
    // Sequential decoding (the common case) needs no repositioning, which costs a BigInt each time.
    if (pos !== this.nextPos) {
      d.position = pos;
      d.ip = BigInt(addr);
    }
    const ins = this.ins;
    d.decodeOut(ins);
    const len = ins.length;
    this.nextPos = pos + len;
    const out: Insn = { addr, len, kind: Kind.Other, target: 0, memTarget: -1, pointers: undefined, memRef: -1, branchReg: -1, effect: NO_EFFECT };
    if (ins.code === Code.INVALID) {
      out.kind = Kind.Invalid;
      return out;
    }
    const mn = ins.mnemonic;
    if (mn === Mnemonic.Syscall) {
      out.kind = Kind.Syscall;
      out.effect = clobberOnly((1 << RAX) | (1 << RCX) | (1 << R11));
      return out;
    }
    switch (ins.flowControl) {
      case FlowControl.UnconditionalBranch:
        out.kind = Kind.Jmp;
        out.target = Number(ins.nearBranchTarget);
        return out;
      case FlowControl.ConditionalBranch:
        out.kind = Kind.Jcc;
        out.target = Number(ins.nearBranchTarget);
        // loop/jrcxz change rcx
        if (mn === Mnemonic.Loop || mn === Mnemonic.Loope || mn === Mnemonic.Loopne) out.effect = clobberOnly(1 << RCX);
        return out;
      case FlowControl.IndirectBranch:
        out.kind = Kind.JmpIndirect;
        if (ins.isIpRelMemoryOperand) out.memTarget = Number(ins.ipRelMemoryAddress);
        else out.branchReg = branchRegister(ins);
        return out;
      case FlowControl.Call:
        out.kind = Kind.Call;
        out.target = Number(ins.nearBranchTarget);
        out.effect = clobberOnly(CALLER_SAVED_MASK);
        return out;
      case FlowControl.IndirectCall:
        out.kind = Kind.CallIndirect;
        if (ins.isIpRelMemoryOperand) out.memTarget = Number(ins.ipRelMemoryAddress);
        else out.branchReg = branchRegister(ins);
        out.effect = clobberOnly(CALLER_SAVED_MASK);
        return out;
      case FlowControl.Return:
        out.kind = Kind.Ret;
        return out;
      case FlowControl.Interrupt:
        // int3 / int n / into: int 0x80 is a 32-bit syscall, never valid for us; treat as a stop.
        out.kind = Kind.Stop;
        return out;
      case FlowControl.Exception:
        out.kind = Kind.Stop; // ud0/ud1/ud2
        return out;
      default:
        break;
    }
    if (mn === Mnemonic.Hlt) {
      out.kind = Kind.Stop;
      return out;
    }
    if (mn === Mnemonic.Nop || mn === Mnemonic.Endbr64) return out;
    this.effectOf(ins, mn, out);
    return out;
  }

  private effectOf(ins: Iced.Instruction, mn: number, out: Insn): void {
    // Each property read crosses into wasm: read the operand kinds once.
    const opCount = ins.opCount;
    const kinds: number[] = [];
    for (let i = 0; i < opCount; i++) kinds.push(ins.opKind(i));
    const k0 = opCount > 0 ? kinds[0] : -1;
    const k1 = opCount > 1 ? kinds[1] : -1;
    const ipRel = ins.isIpRelMemoryOperand;
    // Code pointers: rip-relative lea, and immediates (non-PIE code stores absolute addresses).
    if (mn === Mnemonic.Lea && ipRel) {
      const target = Number(ins.ipRelMemoryAddress);
      out.pointers = [target];
      const r = ins.op0Register;
      const width = gprWidth(r);
      out.effect = { clobber: 0, dst: gprIndex(r), src: width >= 32 ? 1 : 0, imm: target, reg: 0 };
      if (width < 32) out.effect = clobberOnly(1 << gprIndex(r));
      return;
    }
    if (ipRel) out.memRef = Number(ins.ipRelMemoryAddress);
    for (let i = 0; i < opCount; i++) {
      const k = kinds[i];
      if (k === OpKind.Immediate32 || k === OpKind.Immediate32to64 || k === OpKind.Immediate64) {
        const v = signed64(ins.immediate(i));
        if (v >= 0x1000) (out.pointers ??= []).push(v);
      }
    }
    const ci = infoFor(ins, kinds);
    let clobber = ci.implicit;
    for (let i = 0; i < ci.opWritten.length; i++) {
      if (ci.opWritten[i]) {
        const g = gprIndex(ins.opRegister(i));
        if (g >= 0) clobber |= 1 << g;
      }
    }
    clobber &= ~RSP_MASK;
    if (clobber === 0) return;
    const r0 = k0 === OpKind.Register ? ins.op0Register : 0;
    const g0 = gprIndex(r0);
    const w0 = gprWidth(r0);
    // Precise effects for the forms that carry syscall numbers and arguments.
    if (g0 >= 0 && w0 >= 32 && clobber === 1 << g0) {
      if (mn === Mnemonic.Mov) {
        if (k1 === OpKind.Immediate32 || k1 === OpKind.Immediate32to64 || k1 === OpKind.Immediate64) {
          let v = signed64(ins.immediate(1));
          if (w0 === 32) v = v >>> 0;
          out.effect = { clobber: 0, dst: g0, src: 1, imm: v, reg: 0 };
          return;
        }
        if (k1 === OpKind.Register && gprWidth(ins.op1Register) >= 32) {
          out.effect = { clobber: 0, dst: g0, src: w0 === 32 ? 4 : 2, imm: 0, reg: gprIndex(ins.op1Register) };
          return;
        }
      }
      // A 64-bit load from a RIP-relative address (a GOT slot, typically), with no segment override.
      if (mn === Mnemonic.Mov && w0 === 64 && k1 === OpKind.Memory && ipRel && ins.segmentPrefix === Register.None) {
        out.effect = { clobber: 0, dst: g0, src: 5, imm: out.memRef, reg: 0 };
        return;
      }
      if ((mn === Mnemonic.Xor || mn === Mnemonic.Sub) && k1 === OpKind.Register && gprIndex(ins.op1Register) === g0) {
        out.effect = { clobber: 0, dst: g0, src: 1, imm: 0, reg: 0 };
        return;
      }
      if ((mn === Mnemonic.Movsxd || mn === Mnemonic.Movzx) && k1 === OpKind.Register && gprWidth(ins.op1Register) >= 32) {
        out.effect = { clobber: 0, dst: g0, src: 4, imm: 0, reg: gprIndex(ins.op1Register) };
        return;
      }
      if ((mn === Mnemonic.Add || mn === Mnemonic.Sub) && (k1 === OpKind.Immediate8to32 || k1 === OpKind.Immediate8to64 || k1 === OpKind.Immediate32 || k1 === OpKind.Immediate32to64)) {
        const v = signed64(ins.immediate(1));
        out.effect = { clobber: 0, dst: g0, src: 3, imm: mn === Mnemonic.Add ? v : -v, reg: 0 };
        return;
      }
      if (mn === Mnemonic.Or && (k1 === OpKind.Immediate8to32 || k1 === OpKind.Immediate8to64) && signed64(ins.immediate(1)) === -1) {
        out.effect = { clobber: 0, dst: g0, src: 1, imm: w0 === 32 ? 0xffffffff : -1, reg: 0 };
        return;
      }
    }
    out.effect = clobberOnly(clobber);
  }
}

/** The 64-bit register operand of `call reg` / `jmp reg`, or -1 (memory operands, other widths). */
function branchRegister(ins: Iced.Instruction): number {
  if (ins.opCount !== 1 || ins.op0Kind !== OpKind.Register) return -1;
  const r = ins.op0Register;
  return gprWidth(r) === 64 ? gprIndex(r) : -1;
}

const clobberEffects = new Map<number, Effect>();

/** The effect that only clobbers `mask`; shared (effects are never modified), which saves an object per instruction. */
function clobberOnly(mask: number): Effect {
  let e = clobberEffects.get(mask);
  if (!e) clobberEffects.set(mask, (e = { clobber: mask, dst: -1, src: 0, imm: 0, reg: 0 }));
  return e;
}
