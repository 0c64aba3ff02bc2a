// YAML output, its own module so that the YAML library loads only for -o yaml (see formatObjects).
import { stringify } from 'yaml';

/** No anchors for objects the manifest builders share, and no folding of long snippet lines:
 * both would surprise anyone reading or grepping the output. YAML 1.1's rules for what needs
 * quotes, as kubectl's output follows them: a YAML 1.1 reader (PyYAML, Ruby) takes an unquoted
 * 2026-01-02T03:04:05Z for a date and yes for true, where -o json has strings. */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0, version: '1.1' });
}
