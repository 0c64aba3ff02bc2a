// The API server's warnings come in Warning headers (RFC 7234 form, 299 - "text"), several joined
// with ", " by the HTTP client, each text quoted with \" and \\ escaped.
const WARNING = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;

/** The texts of a Warning header, in order; none for a header that is missing. */
export function parseWarningHeader(header: string | undefined): string[] {
  if (!header) return [];
  return [...header.matchAll(WARNING)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}
