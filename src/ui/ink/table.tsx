// Ink renderings of the shared table model; layout comes from ../table.ts so the live view and
// the plain output line up the same way.
import { Box, Text, type TextProps } from 'ink';
import { Fragment } from 'react';
import { type Table as TableModel, layoutTable } from '../table.ts';
import type { Tone } from '../terminal.ts';

/** Ink props for a tone; none without colour, matching paint(false). */
export function toneProps(tone: Tone | undefined, color: boolean): TextProps {
  if (!tone || !color) return {};
  if (tone === 'dim') return { dimColor: true };
  if (tone === 'bold') return { bold: true };
  return { color: tone };
}

export function Table({ table, color }: { table: TableModel; color: boolean }) {
  return (
    <Box flexDirection="column">
      {layoutTable(table).map((row, r) => (
        <Text key={r} wrap="truncate-end">
          {row.map((cell, c) => (
            <Fragment key={c}>
              <Text {...toneProps(cell.tone, color)}>{cell.text}</Text>
              {cell.pad}
            </Fragment>
          ))}
        </Text>
      ))}
    </Box>
  );
}
