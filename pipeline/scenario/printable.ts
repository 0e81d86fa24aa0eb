/**
 * A string from a user's file as it may be shown on a terminal: plain names as they are, anything else quoted
 * with its control characters escaped. A key or alias name is echoed in messages; raw, an escape sequence in
 * it (`"\u001b[2J"`) would act on the reader's terminal. C1 controls and the bidirectional overrides, which
 * JSON.stringify leaves alone, are escaped too.
 */
const PLAIN = /^[A-Za-z0-9_.\-/]+$/;
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return PLAIN.test(text) ? text : quoted(text);
}

/** Always quoted: how a string value is shown ("got \"ten seconds\""). */
export function quoted(text: string): string {
  return escapeControls(JSON.stringify(text));
}

/** Every control character (line breaks included) as a \\uXXXX escape: for one line of a message. */
export function escapeControls(line: string): string {
  return line.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
