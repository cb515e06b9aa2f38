// Where a hardened program's pieces lie in the image: the one place that agrees with the launcher
// (native/launcher.c, whose header says why each piece is where it is). For a program at DIR/NAME:
//   DIR/NAME                 the launcher
//   DIR/.confine-NAME        the program, moved aside within its own directory
//   DIR/.confine/NAME        a symlink to ../.confine-NAME, what the launcher execs (task name NAME)
//   DIR/.confine/NAME.bpf    the program's filter
import { posix } from 'node:path';

export interface HardenedPaths {
  /** The program's path, where the launcher goes. */
  launcher: string;
  /** Where the program itself goes. */
  moved: string;
  /** The symlink the launcher execs, and what it points to (relative). */
  link: string;
  linkTarget: string;
  filter: string;
}

/** The layout for a program given by its absolute path inside the image (symlinks already resolved). */
export function hardenedPaths(program: string): HardenedPaths {
  const dir = posix.dirname(program);
  const name = posix.basename(program);
  return {
    launcher: program,
    moved: posix.join(dir, `.confine-${name}`),
    link: posix.join(dir, '.confine', name),
    linkTarget: `../.confine-${name}`,
    filter: posix.join(dir, '.confine', `${name}.bpf`),
  };
}
