import type { ReactNode } from 'react';

/**
 * A table that may be wider than the screen (a phone), in a region that scrolls sideways and that a
 * keyboard can reach (WCAG 2.1.1; axe's scrollable-region-focusable). Tables go in one of these
 * instead of antd's `scroll={{ x: true }}`, whose scrolling box cannot be focused.
 */
export function TableRegion({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <div className="tv-table-region" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
