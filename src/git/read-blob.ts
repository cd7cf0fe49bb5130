import { SkiffError } from "../errors/index.js";
import { openBlobStream } from "./blob-stream.js";

/**
 * The raw bytes of a blob, refusing to read more than `maxBytes` (the caller checked the size in the
 * tree already; this bounds memory even if git says otherwise). Bytes, not text: a signature covers bytes.
 */
export async function readBlobBytes(repo: string, object: string, maxBytes: number): Promise<Buffer> {
  const blob = openBlobStream(repo, object);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of blob.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        throw new SkiffError("ERR_SKIFF_SIZE_MISMATCH", `blob ${object} is larger than ${maxBytes} bytes`, {
          hint: "the deployment repository holds a file larger than skiff accepts; store the release again",
          data: { max: maxBytes },
        });
      }
      chunks.push(chunk);
    }
    await blob.done;
  } catch (error) {
    void blob.done.catch(() => undefined);
    blob.cancel();
    throw error;
  }
  return Buffer.concat(chunks);
}
