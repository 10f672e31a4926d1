/** The `mlops` launcher that "MLOps: Install CLI" writes onto the user's PATH. No `vscode` import. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function expandHome(p: string, home = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A POSIX shell script (or a .cmd on Windows) running the bundled CLI with the configured Node. */
export function cliShim(platform: NodeJS.Platform, nodePath: string, cliScript: string): { fileName: string; content: string } {
  if (platform === 'win32') {
    return { fileName: 'mlops.cmd', content: `@echo off\r\n"${nodePath}" "${cliScript}" %*\r\n` };
  }
  return {
    fileName: 'mlops',
    content: `#!/bin/sh\n# Installed by the MLOps Workbench VS Code extension ("MLOps: Install CLI").\nexec ${shQuote(nodePath)} ${shQuote(cliScript)} "$@"\n`,
  };
}
