import { SkiffError } from "../../errors/index.js";

/**
 * The default xl config, like the original 2015 `xl.conf.in`, except `on_crash='preserve'`:
 * a broken image stays down for inspection instead of restarting for ever.
 */
export const DEFAULT_XL_TEMPLATE = `name='@NAME@'
memory='@MEMORY@'
kernel='@KERNEL@'
extra='@ARGS@'
vif=['bridge=xenbr0']
@DISK@
on_crash='preserve'
`;

export interface XlConfigValues {
  /** Domain name (@NAME@, and @VM@ in 2015 templates). */
  name: string;
  /** Absolute path of the unpacked kernel (@KERNEL@). */
  kernel: string;
  memoryMiB: number;
  /** Boot arguments (MirageOS runtime keys), joined by spaces into the kernel command line (@ARGS@, xl's extra=). */
  args: readonly string[];
  /** xl disk specifications, rendered as one `disk=[…]` line for @DISK@ (empty line when none). */
  disks: readonly string[];
}

/**
 * A value escaped for an xl/xm quoted string ('…' or "…"): libxlu accepts \\ \' \" inside quotes.
 * Control characters (newline, NUL …) cannot appear in a domain name or path and are refused.
 */
export function quoteXlValue(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new SkiffError(
      "ERR_SKIFF_UNSAFE_VALUE",
      `the xen ${what} contains a control character (newline?)`,
      {
        hint: "rename it without newlines or control characters; skiff refuses values that could rewrite the xl config",
        data: { what },
      },
    );
  }
  return value.replace(/[\\'"]/g, (c) => `\\${c}`);
}

/** The @DISK@ line: `disk=['spec', …]`, or an empty line. */
export function renderDiskLine(disks: readonly string[]): string {
  if (disks.length === 0) return "";
  return `disk=[${disks.map((d) => `'${quoteXlValue(d, "disk specification")}'`).join(", ")}]`;
}

/**
 * Fills the placeholders in one pass, so a value that contains "@NAME@" is never expanded again
 * (the 2015 deploy.sh ran sed over the template with unescaped values).
 */
export function renderXlConfig(template: string, values: XlConfigValues): string {
  const replacements: Record<string, string> = {
    NAME: quoteXlValue(values.name, "domain name"),
    VM: quoteXlValue(values.name, "domain name"),
    KERNEL: quoteXlValue(values.kernel, "kernel path"),
    ARGS: values.args.map((arg) => quoteXlValue(arg, "boot argument")).join(" "),
    MEMORY: String(Math.trunc(values.memoryMiB)),
    DISK: renderDiskLine(values.disks),
  };
  return template.replace(
    /@(NAME|VM|KERNEL|ARGS|MEMORY|DISK)@/g,
    (_match, key: string) => replacements[key] ?? "",
  );
}
