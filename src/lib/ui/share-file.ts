/**
 * Hands a file to the person: the system share sheet where the browser can share files (Android's
 * Bluetooth, chat apps, nearby sharing), a download otherwise.
 */
export async function shareOrDownload(
  bytes: Uint8Array,
  name: string,
  type = 'application/octet-stream'
): Promise<'shared' | 'downloaded' | 'cancelled'> {
  const file = new File([bytes as BlobPart], name, { type });
  if (typeof navigator.canShare === 'function' && navigator.canShare({ files: [file] })) {
    try {
      await navigator.share({ files: [file], title: name });
      return 'shared';
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return 'cancelled';
      // Sharing failed for another reason: fall back to a download.
    }
  }
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return 'downloaded';
}
