/**
 * Text for a one-line message about user input: whatever is not printable text (control
 * characters, which a terminal would act on; the replacement character decoding leaves for
 * bytes that were not UTF-8; lone surrogates; line separators) is shown as a `\uXXXX`
 * escape, never raw. Printable text, in any script, stays as it is.
 */
const NOT_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(s: string): string {
  return s.replace(NOT_TEXT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
