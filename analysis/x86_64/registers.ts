// General-purpose registers by hardware index (0 rax ... 15 r15), and iced-x86 Register mapping.

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export const R11 = 11;

export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** System V argument registers in order. */
export const ARG_REGS = [RDI, RSI, RDX, RCX, R8, R9];

/** Registers a call may change (System V caller-saved GPRs). */
export const CALLER_SAVED_MASK = (1 << RAX) | (1 << RCX) | (1 << RDX) | (1 << RSI) | (1 << RDI) | (1 << R8) | (1 << R9) | (1 << R10) | (1 << R11);

/** Register width class of an iced Register value: 8, 16, 32, 64, or 0 when not a GPR. */
export function gprWidth(reg: number): number {
  if (reg >= 1 && reg <= 20) return 8;
  if (reg >= 21 && reg <= 36) return 16;
  if (reg >= 37 && reg <= 52) return 32;
  if (reg >= 53 && reg <= 68) return 64;
  return 0;
}

/** Full 64-bit GPR index (0..15) of an iced Register value, or -1 when it is not a GPR. */
export function gprIndex(reg: number): number {
  if (reg >= 1 && reg <= 4) return reg - 1; // al cl dl bl
  if (reg >= 5 && reg <= 8) return reg - 5; // ah ch dh bh
  if (reg >= 9 && reg <= 20) return reg - 5; // spl bpl sil dil r8l..r15l
  if (reg >= 21 && reg <= 36) return reg - 21;
  if (reg >= 37 && reg <= 52) return reg - 37;
  if (reg >= 53 && reg <= 68) return reg - 53;
  return -1;
}
