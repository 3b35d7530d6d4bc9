/**
 * Saves a file the server sent (a standing export's run) as the browser's download: an object URL
 * on a link with a `download` name, clicked and let go. The name is the caller's: dates and a
 * format only, never a personal value (the file itself holds those).
 */
export function saveBlob(file: Blob, name: string): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
