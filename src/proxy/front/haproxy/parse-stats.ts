/** One row of `show stat` (a backend's total or one of its servers). */
export interface StatRow {
  proxy: string;
  server: string;
  scur: number;
  stot: number;
  bin: number;
  bout: number;
  econ: number;
  hrsp5xx: number;
  reqTot: number;
  /** Seconds since a session was last given to it; -1 before the first. */
  lastsess: number;
  /** Average response (first byte) time over its last 1024 HTTP responses, ms. */
  rtime: number;
}

/** Parses the CSV of `show stat`. Pure. */
export function parseStats(csv: string): StatRow[] {
  const lines = csv.split("\n").filter((line) => line.trim() !== "");
  const header = lines[0]?.replace(/^#\s*/, "").split(",") ?? [];
  const at = (name: string): number => header.indexOf(name);
  const columns = {
    proxy: at("pxname"),
    server: at("svname"),
    scur: at("scur"),
    stot: at("stot"),
    bin: at("bin"),
    bout: at("bout"),
    econ: at("econ"),
    hrsp5xx: at("hrsp_5xx"),
    reqTot: at("req_tot"),
    lastsess: at("lastsess"),
    rtime: at("rtime"),
  };
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    const num = (index: number, empty = 0): number => {
      const value = cells[index];
      return value === undefined || value === "" ? empty : Number(value);
    };
    return {
      proxy: cells[columns.proxy] ?? "",
      server: cells[columns.server] ?? "",
      scur: num(columns.scur),
      stot: num(columns.stot),
      bin: num(columns.bin),
      bout: num(columns.bout),
      econ: num(columns.econ),
      hrsp5xx: num(columns.hrsp5xx),
      reqTot: num(columns.reqTot),
      lastsess: num(columns.lastsess, -1),
      rtime: num(columns.rtime),
    };
  });
}
