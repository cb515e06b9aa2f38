// Root filesystems from container images: directories, OCI layouts, docker save tarballs, the Docker engine.
export { openImage, type OpenImageOptions } from './open.js';
export type { ImageConfig, ImageProgress, OpenedImage } from './types.js';
