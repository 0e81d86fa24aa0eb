/**
 * Everything that goes into report.html passes through here. Text becomes HTML text or an attribute value;
 * data becomes JSON that cannot end the <script> element it sits in (a model named `</script>` stays a string);
 * inlined library code cannot end its <script> or <style> element either.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * JSON for `<script type="application/json">`: `<`, `>` and `&` as \u escapes (so neither `</script>` nor
 * `<!--` can appear), U+2028/U+2029 escaped, and non-finite numbers as null (JSON has none).
 * `significantDigits` rounds numbers (charts need no more than 6; the tables carry the exact values).
 */
export function scriptJson(value: unknown, significantDigits?: number): string {
  const json = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'number') return item;
    if (!Number.isFinite(item)) return null;
    return significantDigits === undefined || Number.isInteger(item) && Math.abs(item) < 1e6 ? item : Number(item.toPrecision(significantDigits));
  });
  return (json ?? 'null').replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Library code for an inline <script>: `</script` (any case) would end the element, so its slash is escaped. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** A stylesheet for an inline <style>: `</style` would end the element. */
export function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}
