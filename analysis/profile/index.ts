// Phase 1: which programs a running container executes, and which files they map executable.
export { recordContainer } from './record.js';
export type { ExecRecord, PhaseOneResult, RecordOptions } from './types.js';
export { PHASE1_LABEL } from './container.js';
