// The public shapes of phase 1 (what runs inside a container).
import type Docker from 'dockerode';
import type { RunSettings } from './run-settings.js';

/** What to record and for how long. */
export interface RecordOptions {
  /** The engine (dockerode instance). */
  docker: Docker;
  /** Image id or reference present in the engine. */
  image: string;
  /** Length of the window in seconds (callers default it to 30). */
  seconds: number;
  /** Container network: 'none' (default) or the host's. */
  network?: 'none' | 'host';
  /** Overrides the image's CMD (the entrypoint stays). */
  cmd?: string[];
  /** How the container is run (user, tty, capabilities ...): the same as the policy is measured for. */
  settings?: RunSettings;
  /** Ctrl-C / UI cancel: stops early, cleans up, returns what was recorded. */
  signal?: AbortSignal;
  /** Progress, a few times a second while recording. */
  onProgress?: (p: { phase: string; seconds: number; programs: number }) => void;
  /** Poll /proc instead of tracing (for tests; also what happens without tracefs). */
  forcePoll?: boolean;
  /** Run the container under this Docker seccomp profile (the JSON object), e.g. for `confine verify`. */
  seccompProfile?: object;
  /** Bind mounts (docker run -v HOST:CONTAINER[:ro]): verify lays logging filters over a hardened image's. */
  binds?: string[];
  /**
   * Started once the container runs (e.g. a workload driving it); the window then lasts at least
   * `seconds` and until this settles. A rejection is rethrown after cleanup.
   */
  whileRunning?: () => Promise<void>;
}

/** One exec inside the container. */
export interface ExecRecord {
  /** The path as passed to execve, inside the container (a relative one resolved where possible). */
  path: string;
  /** Host pid of the process. */
  pid: number;
  /** Host pid of the process that forked it; 0 for the container's init. */
  ppid: number;
  /** Task name after the exec, when a later event carried it. */
  comm?: string;
  /** argv[0], when the process still ran this exec at the next read. */
  argv0?: string;
  /** Milliseconds after the container was started. */
  atMs: number;
  /** The process image ended (exit or another exec) within the window. */
  exited?: boolean;
}

/** What phase 1 found. */
export interface PhaseOneResult {
  method: 'tracefs' | 'poll';
  /** Unique exec'd files (scripts keep their own path; interpreters added), sorted by path. */
  programs: { path: string; execs: number; interpreterOf?: string[] }[];
  /** Files mapped executable by live container processes, tied to the program of the mapping process. */
  libraries: { program: string; path: string }[];
  /** Every exec, in order. */
  execs: ExecRecord[];
  /** Host pids (threads included) of every container process seen in the window, for matching audit records. */
  pids: number[];
  warnings: string[];
  /** Set when the container exited by itself inside the window. */
  containerExit?: { code: number; afterMs: number };
}
