/**
 * Every limit an agent applies to a stored manifest, in one place: the agent's reader refuses past
 * them, and the store runs that same reader over what it is about to commit (check-agents-accept.ts),
 * so `current` never names a release no host can accept.
 */

/** Largest manifest.json (plain or signed envelope), in bytes. */
export const MANIFEST_MAX_BYTES = 1024 * 1024;
/** Targets of one release: a handful of matrix entries, not a catalogue. */
export const MAX_TARGETS = 16;
/** Files of one target: a unikernel is a kernel and perhaps an initrd or disk; thousands are an attack. */
export const MAX_FILES = 256;
/** Named extensions of one manifest. */
export const MAX_EXTENSIONS = 64;
/** A stored or unpacked file name: a plain name of at most this many characters. */
export const MAX_FILE_NAME = 128;
