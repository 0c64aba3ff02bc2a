// Kubernetes names and RFC 3339 timestamps are ASCII, where comparing code units gives the order
// localeCompare would; localeCompare also sets up ICU's collator on first use, 4 ms of `status`.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
