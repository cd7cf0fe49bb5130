import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Hono } from "hono";
import { SkiffError } from "../../errors/index.js";
import { ownFile } from "../../process/index.js";

/** The dashboard's own scripts and styles: dashboard/ at the package's root (beside hooks/). */
const OWN_DIR = ownFile("dashboard");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Every file served under /static/: read once at start, by a fixed name (no path from a request reaches the disk). */
export function readStaticFiles(): Map<string, { type: string; body: string }> {
  const files = new Map<string, { type: string; body: string }>();
  const add = (name: string, path: string): void => {
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (type !== undefined) files.set(name, { type, body: readFileSync(path, "utf8") });
  };
  for (const name of readdirSync(OWN_DIR)) add(name, join(OWN_DIR, name));
  const uplot = uplotDir();
  add("vendor/uplot.esm.js", join(uplot, "uPlot.esm.js"));
  add("vendor/uplot.min.css", join(uplot, "uPlot.min.css"));
  return files;
}

/** uPlot's dist folder, wherever the package manager put it. */
function uplotDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("uplot"));
  } catch (error) {
    throw new SkiffError("ERR_SKIFF_SERVER", "the dashboard's chart library (uplot) is not installed", {
      hint: "reinstall skiff's dependencies: npm ci",
      cause: error,
    });
  }
}

export function registerStaticRoutes(app: Hono): void {
  const files = readStaticFiles();
  app.get("/static/*", (c) => {
    const file = files.get(c.req.path.slice("/static/".length));
    if (file === undefined) return c.text("not found\n", 404);
    return c.body(file.body, 200, { "content-type": file.type, "cache-control": "no-cache" });
  });
}
