/**
 * Prints one part of the page: the print stylesheet shows only what `part` names
 * (`:root[data-print=…]` in styles.css), so two printable views on one home never print over
 * each other. The browser's own print command, with no part named, prints the page as it is.
 */
export function printPart(part: 'audit' | 'index'): void {
  const root = document.documentElement;
  root.dataset.print = part;
  window.addEventListener('afterprint', () => delete root.dataset.print, { once: true });
  window.print();
}
