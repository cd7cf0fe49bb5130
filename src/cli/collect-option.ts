/** A repeatable option's parser: `--key a --key b` → ["a", "b"]. Light: option definitions import it. */
export function collectOption(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
