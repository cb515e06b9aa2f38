// Shapes shared by the image readers: what an image is made of, before and after extraction.

/** The parts of an image's run configuration the analysis needs (which program starts, as whom, where). */
export interface ImageConfig {
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string;
  user: string;
}

/** A root filesystem ready to analyse, and where it came from. */
export interface OpenedImage {
  rootfs: string;
  imageId: string;
  source: 'engine' | 'docker-save' | 'oci' | 'directory';
  config: ImageConfig | null;
  warnings: string[];
  cached: boolean;
}

/** Progress of a long open: phase (inspect, export, index, manifest, layer), the file being worked on, and done/total where known. */
export interface ImageProgress {
  phase: string;
  file?: string;
  done?: number;
  total?: number;
}

/** One layer as named by a manifest: the archive member holding it and its media type if given. */
export interface LayerRef {
  member: string;
  mediaType?: string;
}

/** What a docker-save or OCI manifest says the image is: config, ordered layers and their diff ids. */
export interface ImagePlan {
  /** `sha256:` + hex of the config blob: the id the Docker engine gives the same image. */
  imageId: string;
  config: ImageConfig | null;
  layers: LayerRef[];
  /** Uncompressed layer digests from the config (rootfs.diff_ids), one per layer. */
  diffIds: string[];
  /** Where the config came from, for messages. */
  configMember: string;
  warnings: string[];
}

function stringList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  return null;
}

/** Reads the run configuration from an image config's `config` object (Docker and OCI spell it the same). */
export function imageConfigFrom(raw: unknown): ImageConfig {
  const c = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    entrypoint: stringList(c.Entrypoint),
    cmd: stringList(c.Cmd),
    env: stringList(c.Env) ?? [],
    workingDir: typeof c.WorkingDir === 'string' ? c.WorkingDir : '',
    user: typeof c.User === 'string' ? c.User : '',
  };
}
