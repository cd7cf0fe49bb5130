import { z } from "zod";
import { SkiffConfigSchema } from "./schema.js";

/** The JSON Schema of skiff.yml, generated from the zod schema (what an editor validates against). */
export function skiffJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(SkiffConfigSchema, { io: "input", target: "draft-2020-12" }),
    $id: "https://skiff.dev/schema/skiff.schema.json",
    title: "skiff.yml",
  };
}
