/**
 * The keyboard for a grid of rows of cells (the heatmap's halls × pods), as the WAI-ARIA grid
 * pattern has it: one Tab stop (a roving tabindex: only the current cell has tabindex=0), arrows
 * move cell by cell, Home/End to the row's first/last cell, Ctrl+Home/Ctrl+End to the grid's,
 * PageUp/PageDown a row (hall) at a time, Enter and Space pick the cell.
 */
const NAV_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp']);

export function createGridKeys(rows: () => HTMLElement[][], pick: (cell: HTMLElement, byKeyboard: boolean) => void) {
  let current: HTMLElement | undefined;

  const moveTo = (cell: HTMLElement | undefined, focus: boolean): void => {
    if (!cell) return;
    if (current !== cell) {
      current?.setAttribute('tabindex', '-1');
      cell.setAttribute('tabindex', '0');
      current = cell;
    }
    if (focus) cell.focus();
  };

  /** Cells per visual line of a row: a hall may wrap on a narrow screen, and ↑/↓ follow what is seen. */
  const perLine = (row: HTMLElement[]): number => {
    const top = row[0]?.offsetTop;
    const n = row.findIndex((cell) => cell.offsetTop !== top);
    return n === -1 ? Math.max(1, row.length) : n;
  };

  /** The cell a line below (`step` 1) or above (-1): the next line of the same hall, else the nearest line of the next hall. */
  const vertical = (all: HTMLElement[][], r: number, i: number, step: 1 | -1): HTMLElement | undefined => {
    const row = all[r] ?? [];
    const n = perLine(row);
    const line = Math.floor(i / n);
    const col = i % n;
    if (step > 0 && line < Math.floor((row.length - 1) / n)) return row[Math.min(i + n, row.length - 1)];
    if (step < 0 && line > 0) return row[i - n];
    const next = all[r + step];
    if (!next?.length) return undefined;
    const m = perLine(next);
    const start = step > 0 ? 0 : Math.floor((next.length - 1) / m) * m;
    return next[Math.min(start + Math.min(col, m - 1), next.length - 1)];
  };

  const target = (event: KeyboardEvent, all: HTMLElement[][], r: number, i: number): HTMLElement | undefined => {
    const row = all[r] ?? [];
    switch (event.key) {
      case 'ArrowRight':
        return row[i + 1];
      case 'ArrowLeft':
        return row[i - 1];
      case 'ArrowDown':
        return vertical(all, r, i, 1);
      case 'ArrowUp':
        return vertical(all, r, i, -1);
      case 'Home':
        return event.ctrlKey ? all[0]?.[0] : row[0];
      case 'End':
        return event.ctrlKey ? all.at(-1)?.at(-1) : row.at(-1);
      case 'PageDown':
      case 'PageUp': {
        const other = all[r + (event.key === 'PageDown' ? 1 : -1)];
        return other?.[Math.min(i, other.length - 1)];
      }
      default:
        return undefined;
    }
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (!current || event.altKey || event.metaKey) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault(); // Space would scroll the page
      pick(current, true);
      return;
    }
    const all = rows();
    const r = all.findIndex((row) => row.includes(current!));
    if (r === -1) return;
    if (!NAV_KEYS.has(event.key)) return;
    // At an edge the focus stays where it is, and the key does not scroll the page either.
    event.preventDefault();
    moveTo(target(event, all, r, all[r]!.indexOf(current)), true);
  };

  return { onKeyDown, moveTo, current: (): HTMLElement | undefined => current };
}
