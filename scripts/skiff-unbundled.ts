// The CLI from tsc's per-file output (dist/src), where bin/skiff.js runs its bundle (dist/bundle):
// for the tests that look at which of skiff's modules a command loads, and bench:cli's side-by-side figures.
await import("../src/cli/main.js");
