/**
 * DNS-SD TXT records as key=value pairs (RFC 6763 §6). Pure.
 *
 * Encoding: one string per pair, `key=value`, at most 255 bytes; a value too
 * long is cut at a character boundary and ends with "…". Decoding follows
 * §6.4: keys compare without case, the first occurrence of a key wins, a
 * string without `=` is a key with no value, a string starting with `=` is
 * ignored.
 */
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const MAX = 255;
const ELLIPSIS = utf8.encode("…");

/** Cut `bytes` to at most `max` bytes without splitting a UTF-8 character. */
function cutUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Is `key` fit for a TXT record: printable US-ASCII without `=`, 1 to 9 characters (§6.4)? */
export function validTxtKey(key: string): boolean {
  return /^[\x20-\x3c\x3e-\x7e]{1,9}$/.test(key);
}

export function encodeTxt(pairs: [string, string][]): Uint8Array[] {
  return pairs.map(([key, value]) => {
    if (!validTxtKey(key)) throw new RangeError(`"${key}" is not a TXT key`);
    const head = utf8.encode(key + "=");
    let body = utf8.encode(value);
    if (head.length + body.length > MAX) {
      body = Uint8Array.from([
        ...cutUtf8(body, MAX - head.length - ELLIPSIS.length),
        ...ELLIPSIS,
      ]);
    }
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    return out;
  });
}

/** The pairs of a TXT record, keys in lower case. */
export function decodeTxt(strings: Uint8Array[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of strings) {
    const text = fromUtf8.decode(s);
    const eq = text.indexOf("=");
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key === "" || out.has(key)) continue;
    out.set(key, eq < 0 ? "" : text.slice(eq + 1));
  }
  return out;
}
