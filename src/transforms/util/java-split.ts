/** Java's `String.split(regex)`: like JS split, but trailing empty strings are removed. */
export function javaSplit(text: string, separator: string | RegExp): string[] {
  const parts = text.split(separator);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && text.length > 0) return [];
  return parts;
}
