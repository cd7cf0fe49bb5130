/** A git config value in double quotes, with the two characters that need it escaped. */
export function quoteConfigValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
