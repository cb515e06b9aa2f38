// `mov reg, [rip+GOT]; call reg` is a call through the GOT slot, not an indirect call: every
// executable's _init calls __gmon_start__ that way (a weak undefined symbol, 0 at run time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readElfFile } from '../elf/read.js';
import { R_X86_64_GLOB_DAT } from '../elf/types.js';
import { loadProgram } from '../link/loader.js';
import { ProgramGraph } from '../graph/program-graph.js';
import { analyzeObject } from './analyze-object.js';
import { runDataflow } from '../x86_64/dataflow.js';
import { X86Decoder, type Insn } from '../x86_64/decoder.js';

const TRUE = '/usr/bin/true';

test('_init: the register call of __gmon_start__ is a slot call with no edge', { skip: !existsSync(TRUE) && 'no /usr/bin/true' }, () => {
  const lp = loadProgram('/', TRUE, (host) => readElfFile(host));
  const elf = lp.objects[0].elf;
  const init = elf.dynamic.find((d) => d.tag === 12);
  assert.ok(init, 'DT_INIT');
  const initAddr = Number(init.value);
  const gmon = elf.relocations.find((r) => r.type === R_X86_64_GLOB_DAT && elf.dynsym[r.symIndex]?.name === '__gmon_start__');
  assert.ok(gmon, 'GLOB_DAT __gmon_start__');
  const facts = lp.objects.map((o) => analyzeObject(o.elf, o.hostPath));
  const fn = facts[0].functions.find((f) => f.entry === initAddr);
  assert.ok(fn, '_init analysed');
  const site = fn.calls.find((c) => !c.tail);
  assert.ok(site, '_init makes a call');
  assert.equal(site.slot, gmon.offset);
  assert.equal(site.indirect, undefined);
  const graph = new ProgramGraph(lp, lp.objects.map((o, i) => ({ path: o.rootfsPath, facts: facts[i], loaded: o.index })));
  const node = graph.nodeAt(0, initAddr);
  assert.ok(node !== undefined);
  // Nothing defines __gmon_start__: the slot holds 0 and the guarded call is never made.
  assert.ok(!lp.bindings.some((b) => b.from === 0 && b.reloc.offset === gmon.offset && b.to));
  assert.deepEqual(graph.edges(node).filter((e) => e.site === site.at), []);
});

/** Decodes straight-line code at address 0x1000 into one block. */
function block(hex: string): { start: number; insns: Insn[]; succs: number[] }[] {
  const bytes = Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  const dec = new X86Decoder(bytes, 0x1000);
  const insns: Insn[] = [];
  for (let a = 0x1000; a < 0x1000 + bytes.length; ) {
    const ins = dec.decode(a)!;
    insns.push(ins);
    a += ins.len;
  }
  dec.free();
  return [{ start: 0x1000, insns, succs: [] }];
}

test('slot dataflow: only an unbroken 64-bit load reaches the call, and never as a number', () => {
  // mov rax, [rip+0x100]; mov rbx, rax; call rbx
  let r = runDataflow(block('488b0500010000 4889c3 ffd3'), [0], new Set());
  assert.deepEqual([...r.slotCalls], [[0x100a, 0x1107]]);
  // The loaded value is unknown as a number (a syscall number, an argument).
  assert.deepEqual(r.calls.get(0x100a), [null]);
  // mov rax, [rip+0x100]; add rax, 8; call rax
  r = runDataflow(block('488b0500010000 4883c008 ffd0'), [0], new Set());
  assert.equal(r.slotCalls.size, 0);
  // mov rax, [rip+0x100]; call [rip+0]; call rax (the first call clobbers rax)
  r = runDataflow(block('488b0500010000 ff1500000000 ffd0'), [0], new Set());
  assert.equal(r.slotCalls.size, 0);
  // mov eax, [rip+0x100]; call rax (a 32-bit load)
  r = runDataflow(block('8b0500010000 ffd0'), [0], new Set());
  assert.equal(r.slotCalls.size, 0);
});

test('slot dataflow: different slots on two paths join to unknown', () => {
  // b0: mov rax,[rip+A]; je b2 | b1: mov rax,[rip+B] | b2: call rax
  const [b0] = block('488b0500010000');
  const [b1] = block('488b0500020000');
  const [b2] = block('ffd0');
  const blocks = [
    { start: 0x1000, insns: b0.insns, succs: [0x2000, 0x3000] },
    { start: 0x2000, insns: b1.insns.map((i) => ({ ...i, addr: 0x2000 })), succs: [0x3000] },
    { start: 0x3000, insns: b2.insns.map((i) => ({ ...i, addr: 0x3000 })), succs: [] },
  ];
  assert.equal(runDataflow(blocks, [0], new Set()).slotCalls.size, 0);
  // The same slot on both paths stays known.
  blocks[1] = { start: 0x2000, insns: b0.insns.map((i) => ({ ...i, addr: 0x2000 })), succs: [0x3000] };
  assert.deepEqual([...runDataflow(blocks, [0], new Set()).slotCalls], [[0x3000, 0x1107]]);
});
