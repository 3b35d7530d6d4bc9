/**
 * The large-text mode: a switch that scales the root font (every size on the page is in rem, the
 * kit's too: styles.css), kept in localStorage as a preference.
 */
const KEY = 'tracevault.portal.largeText';

export function loadLargeText(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export function applyLargeText(on: boolean): void {
  document.documentElement.dataset.textSize = on ? 'large' : 'normal';
  try {
    localStorage.setItem(KEY, on ? '1' : '0');
  } catch {
    // Private browsing: the choice lasts for this page only.
  }
}
