// x86-64 decoding with iced-x86, reduced to what the analysis needs: control flow, code pointers
// and each instruction's effect on the general-purpose registers.
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';
import { gprIndex, gprWidth, CALLER_SAVED_MASK, RAX, RCX, RSP, RBP, R11 } from './registers.js';

// iced-x86's npm package is CommonJS with a synchronously instantiated wasm module.
const iced = createRequire(import.meta.url)('iced-x86') as typeof Iced;
const { Decoder, DecoderOptions, Instruction, InstructionInfoFactory, Mnemonic, FlowControl, OpKind, OpAccess, Code, Register, MemorySizeExt, ConditionCode } = iced;

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

/** Where an Effect's destination register gets its value from. */
export const enum Src {
  /** Nothing known: dst becomes unknown. */
  None = 0,
  /** The constant `imm`. */
  Const = 1,
  /** A copy of register `reg`. */
  Copy = 2,
  /** dst + imm. */
  AddImm = 3,
  /** The zero-extended low 32 bits of register `reg`. */
  Copy32 = 4,
  /** The mem.size bytes at `mem`: a stack slot, constant data, or (8 bytes RIP-relative) a GOT slot for the slot dataflow. */
  Load = 6,
  /** lea: the value of register mem.base plus mem.disp. */
  Lea = 7,
  /** A write of the low `reg` bits (8 or 16) of dst with `imm`, the rest kept (`xor eax,eax; mov al,N` in musl's assembly). */
  SetLow = 12,
  /** push: rsp -= 8, then [rsp] = register `reg`, or the immediate `imm` when reg < 0 (unknown when imm is NaN). */
  Push = 8,
  /** pop: dst = [rsp], then rsp += 8. */
  Pop = 9,
  /** leave: rsp = rbp, then pop rbp. */
  Leave = 10,
  /** rsp += imm; when imm < 0 the bytes between are written (pushf, push [mem]). */
  SpAdjust = 11,
}

/** A memory operand the frame model follows: stack-relative (base rsp or rbp), absolute, or RIP-relative. */
export interface MemRef {
  /** GPR index of the base (rsp or rbp), MEM_ABSOLUTE or MEM_RIP. */
  base: number;
  /** GPR index of the index register, or -1. */
  index: number;
  /** Displacement; the absolute address for MEM_ABSOLUTE and MEM_RIP. */
  disp: number;
  /** Bytes accessed (0 when unknown or variable). */
  size: number;
  write: boolean;
  /** What a plain `mov [m], x` writes: register `storeReg` (>= 0) or the immediate `storeImm`. Unset for other writes. */
  storeReg?: number;
  storeImm?: number;
}

export const MEM_ABSOLUTE = -1;
export const MEM_RIP = -2;

/** Register effect: `clobber` registers become unknown, then `dst` (if >= 0) receives its Src; memory through `mem`. */
export interface Effect {
  clobber: number;
  dst: number;
  src: Src;
  imm: number;
  reg: number;
  mem?: MemRef;
  /** The instruction writes memory through an address the frame model does not know (another base register, a string store). */
  writesUnknown?: true;
  /** For such a write through [reg+...]: the base register, else -1. */
  writeBase?: number;
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
  /** Whether `pointers` holds immediates (absolute values: addresses only in position-dependent code), not a lea target. */
  immediates?: true;
  /** RIP-relative memory operand of a non-branch instruction (e.g. a GOT slot read), or -1. */
  memRef: number;
  /** For `call reg` / `jmp reg` with a 64-bit register operand: its hardware index, else -1. */
  branchReg: number;
  effect: Effect | undefined;
  /**
   * GPRs the instruction reads when its effect is not modelled exactly and it writes something (a
   * register or memory): a stack address in one of them goes where the frame model cannot follow.
   */
  reads: number;
  /** For `test r64,r64` and `cmp r64,imm`: the register and the value equality means. */
  compare?: { reg: number; imm: number };
  /** For je/jne: whether the jump is taken on equality (true) or inequality (false). */
  jumpIfEqual?: boolean;
}

interface CodeInfo {
  /** Per explicit operand: register written. */
  opWritten: boolean[];
  /** Implicitly written GPRs (mask), excluding rsp. */
  implicit: number;
  /** Index of the explicit memory operand, or -1. */
  memOp: number;
  /** Whether that memory operand is written. */
  memWrite: boolean;
  /** Whether a string instruction writes memory at [rdi] (stos, movs). */
  stringWrite: boolean;
  /** Per explicit operand: register read. */
  opRead: boolean[];
  /** Implicitly read GPRs (mask). */
  implicitReads: number;
}

const NO_EFFECT: Effect | undefined = undefined;
const infoFactory = new InstructionInfoFactory();
const codeInfo = new Map<number, CodeInfo>();
const RSP_MASK = 1 << 4;

function isRead(access: number): boolean {
  return access === OpAccess.Read || access === OpAccess.CondRead || access === OpAccess.ReadWrite || access === OpAccess.ReadCondWrite;
}

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
  const opRead: boolean[] = [];
  let explicitWritten = 0;
  let explicitRead = 0;
  let memOp = -1;
  let memWrite = false;
  let stringWrite = false;
  for (let i = 0; i < opCount; i++) {
    if (kinds[i] === OpKind.Memory) {
      memOp = i;
      memWrite = isWrite(info.opAccess(i));
    } else if (kinds[i] >= OpKind.MemorySegSI && kinds[i] <= OpKind.MemoryESRDI && isWrite(info.opAccess(i))) stringWrite = true;
    const w = kinds[i] === OpKind.Register && isWrite(info.opAccess(i));
    const rd = kinds[i] === OpKind.Register && isRead(info.opAccess(i));
    opRead.push(rd);
    if (rd) {
      const g = gprIndex(ins.opRegister(i));
      if (g >= 0) explicitRead |= 1 << g;
    }
    opWritten.push(w);
    if (w) {
      const g = gprIndex(ins.opRegister(i));
      if (g >= 0) explicitWritten |= 1 << g;
    }
  }
  let written = 0;
  let read = 0;
  for (const u of info.usedRegisters() as Iced.UsedRegister[]) {
    const g = gprIndex(u.register);
    if (g >= 0 && isWrite(u.access)) written |= 1 << g;
    if (g >= 0 && isRead(u.access)) read |= 1 << g;
    u.free();
  }
  info.free();
  const implicit = written & ~explicitWritten;
  let addressRegs = 0;
  if (memOp >= 0) {
    const b = gprIndex(ins.memoryBase);
    const x = gprIndex(ins.memoryIndex);
    if (b >= 0) addressRegs |= 1 << b;
    if (x >= 0) addressRegs |= 1 << x;
  }
  // String instructions read rsi/rdi/rcx implicitly: those stay, they are part of the form.
  const implicitReads = read & ~explicitRead & ~addressRegs;
  ci = { opWritten, implicit: implicit & ~RSP_MASK, memOp, memWrite, stringWrite, opRead, implicitReads };
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
    const out: Insn = { addr, len, kind: Kind.Other, target: 0, memTarget: -1, pointers: undefined, memRef: -1, branchReg: -1, effect: NO_EFFECT, reads: 0 };
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
        if (ins.conditionCode === ConditionCode.e) out.jumpIfEqual = true;
        else if (ins.conditionCode === ConditionCode.ne) out.jumpIfEqual = false;
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
      out.effect = { clobber: 0, dst: gprIndex(r), src: width >= 32 ? Src.Const : Src.None, imm: target, reg: 0 };
      if (width < 32) out.effect = clobberOnly(1 << gprIndex(r));
      return;
    }
    if (ipRel) out.memRef = Number(ins.ipRelMemoryAddress);
    for (let i = 0; i < opCount; i++) {
      const k = kinds[i];
      if (k === OpKind.Immediate32 || k === OpKind.Immediate32to64 || k === OpKind.Immediate64) {
        const v = signed64(ins.immediate(i));
        if (v >= 0x1000) {
          (out.pointers ??= []).push(v);
          out.immediates = true;
        }
      }
    }
    const ci = infoFor(ins, kinds);
    const mem = ci.memOp >= 0 ? memRefOf(ins, ipRel, ci.memWrite) : undefined;
    if (mn === Mnemonic.Push || mn === Mnemonic.Pop || mn === Mnemonic.Leave || ins.isStackInstruction) {
      out.effect = stackEffect(ins, mn, k0, mem);
      return;
    }
    let clobber = ci.implicit;
    for (let i = 0; i < ci.opWritten.length; i++) {
      if (ci.opWritten[i]) {
        const g = gprIndex(ins.opRegister(i));
        if (g >= 0) clobber |= 1 << g;
      }
    }
    const r0 = k0 === OpKind.Register ? ins.op0Register : 0;
    const g0 = gprIndex(r0);
    const w0 = gprWidth(r0);
    // A comparison the next conditional jump may turn into a known value on one of its edges.
    if ((mn === Mnemonic.Test || mn === Mnemonic.Cmp) && g0 >= 0 && w0 === 64) {
      if (mn === Mnemonic.Test && k1 === OpKind.Register && ins.op1Register === r0) out.compare = { reg: g0, imm: 0 };
      else if (mn === Mnemonic.Cmp && (k1 === OpKind.Immediate8to64 || k1 === OpKind.Immediate32to64)) out.compare = { reg: g0, imm: signed64(ins.immediate(1)) };
    }
    // mov r8/r16, imm: only the low bits change (r8 must be a low byte register: ah..bh are not).
    if (mn === Mnemonic.Mov && g0 >= 0 && (w0 === 8 || w0 === 16) && (k1 === OpKind.Immediate8 || k1 === OpKind.Immediate16) && !(r0 >= Register.AH && r0 <= Register.BH)) {
      out.effect = { clobber: 0, dst: g0, src: Src.SetLow, imm: Number(ins.immediate(1)) & (w0 === 8 ? 0xff : 0xffff), reg: w0 };
      return;
    }
    const writesUnknown = (ci.memWrite && !mem) || ci.stringWrite;
    if (clobber === 0 && !mem && !writesUnknown) return;
    // Precise effects for the forms that carry syscall numbers, arguments and stack addresses.
    if (g0 >= 0 && w0 >= 32 && clobber === 1 << g0) {
      const e = preciseEffect(ins, mn, g0, w0, k1, mem);
      if (e) {
        out.effect = e;
        return;
      }
    }
    if (mem && mem.write && mn === Mnemonic.Mov && clobber === 0) {
      // A plain store: its value goes into the frame when the address is a stack slot.
      if (k1 === OpKind.Register && gprWidth(ins.op1Register) >= 32) mem.storeReg = gprIndex(ins.op1Register);
      else if (k1 === OpKind.Immediate32 || k1 === OpKind.Immediate32to64 || k1 === OpKind.Immediate8to32 || k1 === OpKind.Immediate8to64) {
        let v = signed64(ins.immediate(1));
        if (mem.size === 4) v = v >>> 0;
        mem.storeImm = v;
      }
    }
    // Not followed exactly: which registers it reads (a stack address among them escapes).
    if (mem?.storeReg === undefined && mem?.storeImm === undefined) out.reads = readsOf(ins, kinds, ci, mem);
    if (!mem && !writesUnknown) {
      out.effect = clobberOnly(clobber);
      return;
    }
    out.effect = { clobber, dst: -1, src: Src.None, imm: 0, reg: 0 };
    if (mem) out.effect.mem = mem;
    if (writesUnknown) {
      out.effect.writesUnknown = true;
      out.effect.writeBase = ci.memOp >= 0 && !mem ? gprIndex(ins.memoryBase) : -1;
    }
  }
}

/** The GPRs an instruction reads: its register operands, its address registers, its implicit reads. */
function readsOf(ins: Iced.Instruction, kinds: number[], ci: CodeInfo, mem: MemRef | undefined): number {
  let reads = ci.implicitReads;
  for (let i = 0; i < kinds.length; i++) {
    if (!ci.opRead[i]) continue;
    const g = gprIndex(ins.opRegister(i));
    if (g >= 0) reads |= 1 << g;
  }
  if (ci.memOp >= 0 && mem?.base !== MEM_RIP) {
    const b = mem ? mem.base : gprIndex(ins.memoryBase);
    if (b >= 0) reads |= 1 << b;
    const x = mem ? mem.index : gprIndex(ins.memoryIndex);
    if (x >= 0) reads |= 1 << x;
  }
  return reads;
}

/** The effect of the forms the dataflow follows exactly, when `dst` is their only register written; undefined for the rest. */
function preciseEffect(ins: Iced.Instruction, mn: number, g0: number, w0: number, k1: number, mem: MemRef | undefined): Effect | undefined {
  if (mn === Mnemonic.Mov) {
    if (k1 === OpKind.Immediate32 || k1 === OpKind.Immediate32to64 || k1 === OpKind.Immediate64) {
      let v = signed64(ins.immediate(1));
      if (w0 === 32) v = v >>> 0;
      return { clobber: 0, dst: g0, src: Src.Const, imm: v, reg: 0 };
    }
    if (k1 === OpKind.Register && gprWidth(ins.op1Register) >= 32) {
      return { clobber: 0, dst: g0, src: w0 === 32 ? Src.Copy32 : Src.Copy, imm: 0, reg: gprIndex(ins.op1Register) };
    }
    // A load from a stack slot, constant data or a GOT slot (8 or 4 bytes; 4 zero-extends).
    if (k1 === OpKind.Memory && mem && !mem.write && mem.size === w0 / 8) return { clobber: 0, dst: g0, src: Src.Load, imm: 0, reg: 0, mem };
  }
  if (mn === Mnemonic.Lea && mem && mem.base >= 0 && mem.index < 0) return { clobber: 0, dst: g0, src: Src.Lea, imm: 0, reg: 0, mem };
  if ((mn === Mnemonic.Xor || mn === Mnemonic.Sub) && k1 === OpKind.Register && gprIndex(ins.op1Register) === g0) {
    return { clobber: 0, dst: g0, src: Src.Const, imm: 0, reg: 0 };
  }
  if ((mn === Mnemonic.Movsxd || mn === Mnemonic.Movzx) && k1 === OpKind.Register && gprWidth(ins.op1Register) >= 32) {
    return { clobber: 0, dst: g0, src: Src.Copy32, imm: 0, reg: gprIndex(ins.op1Register) };
  }
  if ((mn === Mnemonic.Add || mn === Mnemonic.Sub) && (k1 === OpKind.Immediate8to32 || k1 === OpKind.Immediate8to64 || k1 === OpKind.Immediate32 || k1 === OpKind.Immediate32to64)) {
    const v = signed64(ins.immediate(1));
    return { clobber: 0, dst: g0, src: Src.AddImm, imm: mn === Mnemonic.Add ? v : -v, reg: 0 };
  }
  if (mn === Mnemonic.Or && (k1 === OpKind.Immediate8to32 || k1 === OpKind.Immediate8to64) && signed64(ins.immediate(1)) === -1) {
    return { clobber: 0, dst: g0, src: Src.Const, imm: w0 === 32 ? 0xffffffff : -1, reg: 0 };
  }
  return undefined;
}

/** push, pop, leave and the other instructions that move rsp by themselves (pushf, popf, enter). */
function stackEffect(ins: Iced.Instruction, mn: number, k0: number, mem: MemRef | undefined): Effect {
  if (mn === Mnemonic.Push) {
    if (k0 === OpKind.Register && gprWidth(ins.op0Register) === 64) {
      const g = gprIndex(ins.op0Register);
      return { clobber: 0, dst: -1, src: Src.Push, imm: 0, reg: g };
    }
    if (k0 === OpKind.Immediate8to64 || k0 === OpKind.Immediate32to64) return { clobber: 0, dst: -1, src: Src.Push, imm: signed64(ins.immediate(0)), reg: -1 };
    return { clobber: 0, dst: -1, src: Src.Push, imm: NaN, reg: -1 };
  }
  if (mn === Mnemonic.Pop && k0 === OpKind.Register && gprWidth(ins.op0Register) === 64) return { clobber: 0, dst: gprIndex(ins.op0Register), src: Src.Pop, imm: 0, reg: 0 };
  if (mn === Mnemonic.Leave) return { clobber: 0, dst: RBP, src: Src.Leave, imm: 0, reg: 0 };
  // Anything else that moves rsp: by its fixed increment, its other writes unknown.
  const inc = ins.stackPointerIncrement;
  const e: Effect = { clobber: 0, dst: -1, src: Src.SpAdjust, imm: inc, reg: 0 };
  if (mn === Mnemonic.Pop && k0 === OpKind.Register) e.clobber = 1 << gprIndex(ins.op0Register);
  if (mem) e.mem = mem;
  // enter and friends move rsp by an amount that is not fixed: rsp becomes unknown.
  if (mn === Mnemonic.Enter) e.clobber |= (1 << RSP) | (1 << RBP);
  return e;
}

const memSizes = new Map<number, number>();

/** The memory operand when the frame model can name it: base rsp/rbp (no segment), absolute, or RIP-relative. */
function memRefOf(ins: Iced.Instruction, ipRel: boolean, write: boolean): MemRef | undefined {
  // Most memory operands have another base register: decide that with as few wasm calls as possible.
  let base: number;
  if (ipRel) base = MEM_RIP;
  else {
    const baseReg = ins.memoryBase;
    if (baseReg === Register.None) base = MEM_ABSOLUTE;
    else {
      base = gprIndex(baseReg);
      if ((base !== RSP && base !== RBP) || gprWidth(baseReg) !== 64) return undefined;
    }
  }
  if (ins.segmentPrefix !== Register.None) return undefined;
  const ms = ins.memorySize;
  let size = memSizes.get(ms);
  if (size === undefined) memSizes.set(ms, (size = MemorySizeExt.size(ms)));
  if (base === MEM_RIP) return { base, index: -1, disp: Number(ins.ipRelMemoryAddress), size, write };
  const indexReg = ins.memoryIndex;
  if (base === MEM_ABSOLUTE) {
    if (indexReg !== Register.None) return undefined;
    return { base, index: -1, disp: Number(BigInt.asUintN(64, ins.memoryDisplacement)), size, write };
  }
  return { base, index: indexReg === Register.None ? -1 : gprIndex(indexReg), disp: Number(ins.memoryDisplacement), size, write };
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
