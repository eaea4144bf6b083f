/** The script tag a website adds to show the widget of `publicKey`. */
export function widgetSnippet(apiOrigin: string, publicKey: string): string {
  return `<script src="${apiOrigin}/widget/embed.js" data-key="${publicKey}" async></script>`;
}

/** Origins typed one a line or comma-separated; blanks dropped, trailing slashes trimmed. */
export function parseOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

/** Black or white text, whichever reads better on the color (#rrggbb). */
export function textColorOn(hex: string): '#000000' | '#ffffff' {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) {
    return '#ffffff';
  }
  const value = parseInt(match[1], 16);
  const [r, g, b] = [value >> 16, (value >> 8) & 0xff, value & 0xff].map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
