/** Chart colours and fonts from VS Code's theme variables, so charts follow light, dark and high-contrast themes. */
const PALETTE_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function cssVar(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

export interface ChartTheme {
  palette: string[];
  foreground: string;
  grid: string;
  font: string;
  fontSize: number;
}

export function chartTheme(): ChartTheme {
  return {
    palette: PALETTE_VARS.map((v, i) => cssVar(v) || (FALLBACK[i] as string)),
    foreground: cssVar('--vscode-foreground') || '#cccccc',
    grid: cssVar('--vscode-editorWidget-border') || cssVar('--vscode-panel-border') || 'rgba(128,128,128,0.3)',
    font: cssVar('--vscode-font-family') || 'sans-serif',
    fontSize: Number.parseFloat(cssVar('--vscode-font-size')) || 13,
  };
}

/** Calls `fn` when VS Code switches theme (it changes the body's class). */
export function onThemeChange(fn: () => void): void {
  new MutationObserver(fn).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** A theme colour made translucent: hex colours get an alpha byte; others (rgb(), names) stay as they are. */
export function alpha(color: string, a: number): string {
  if (!/^#[0-9a-f]{6}$/i.test(color)) return color;
  return color + Math.round(a * 255).toString(16).padStart(2, '0');
}
