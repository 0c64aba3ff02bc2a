// YAML output, its own module so that the YAML library loads only for -o yaml (see formatObjects).
import { stringify } from 'yaml';

/** No anchors for objects the manifest builders share, and no folding of long snippet lines:
 * both would surprise anyone reading or grepping the output. */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}
