/** Hides the password (token) part of any URL in a string: http://git:abcd[hidden]@host/... */
export function redactUrl(text: string): string {
  return text.replace(
    /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)([^@\s/]+)@/gi,
    (_m, prefix: string, secret: string) => {
      return `${prefix}${secret.slice(0, 4)}[hidden]@`;
    },
  );
}
