/**
 * The HTML shell of every webview. The Content-Security-Policy allows only this panel's own files
 * (the webview's `cspSource`) and the one nonce-tagged script: no inline script, no eval, no wildcard.
 * No `vscode` import, so the policy is unit-tested.
 */
import { randomBytes } from 'node:crypto';

export interface ShellOptions {
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris?: string[];
  /** Body markup; the script renders into it. */
  body?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    // Styles: our css files, plus the nonce for the <style> that lit components add.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewShell(o: ShellOptions): string {
  const styles = (o.styleUris ?? []).map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}" nonce="${o.nonce}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeAttr(o.title)}</title>
    ${styles}
  </head>
  <body>
    ${o.body ?? '<main id="app"></main>'}
    <script nonce="${o.nonce}" src="${escapeAttr(o.scriptUri)}"></script>
  </body>
</html>`;
}
