/**
 * Real VS Code for the e2e suite: code-server 4.100.3 (VS Code 1.100.3) with the packaged .vsix
 * installed, driven through Debian's Chromium over CDP. Both run in their own process groups and are
 * stopped by group id, so no file watcher or renderer outlives the suite.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaywright, type Browser, type Locator, type Page } from './pw';

export interface HarnessOptions {
  cache: string;
  vsix: string;
  work: string;
  port: number;
}

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
  '--window-size=1600,1000',
];

function stopGroup(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    execFileSync('sleep', ['0.1']);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function waitUntil<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export class VsCodeHarness {
  private codeServer?: ChildProcess;
  private chromium?: ChildProcess;
  private browser?: Browser;
  page!: Page;
  readonly pageErrors: string[] = [];
  readonly consoleErrors: string[] = [];

  constructor(private readonly o: HarnessOptions) {}

  private get csArgs(): string[] {
    return [
      join(this.o.cache, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
      '--user-data-dir',
      join(this.o.work, 'user'),
      '--extensions-dir',
      join(this.o.work, 'ext'),
    ];
  }

  async start(): Promise<void> {
    mkdirSync(join(this.o.work, 'user', 'User'), { recursive: true });
    writeFileSync(
      join(this.o.work, 'user', 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'workbench.enableExperiments': false,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'always',
        'git.enabled': false,
      }),
    );
    execFileSync(process.execPath, [...this.csArgs, '--install-extension', this.o.vsix], { stdio: 'pipe', timeout: 120_000 });
    const log = join(this.o.work, 'code-server.log');
    this.codeServer = spawn(
      process.execPath,
      [...this.csArgs, '--bind-addr', `127.0.0.1:${this.o.port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(this.o.work, 'xdg') } },
    );
    const out: Buffer[] = [];
    this.codeServer.stdout?.on('data', (d: Buffer) => out.push(d));
    this.codeServer.stderr?.on('data', (d: Buffer) => out.push(d));
    this.codeServer.on('exit', () => writeFileSync(log, Buffer.concat(out)));
    await waitUntil(
      'code-server /healthz',
      async () => {
        try {
          const r = await fetch(`http://127.0.0.1:${this.o.port}/healthz`);
          return r.ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    await this.startBrowser();
  }

  private async startBrowser(): Promise<void> {
    const profile = mkdtempSync(join(tmpdir(), 'mlops-e2e-chromium-'));
    const chrome = process.env['CHROME'] ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
    if (!chrome) throw new Error('no chromium found: run scripts/e2e-setup.sh');
    this.chromium = spawn(chrome, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { detached: true, stdio: 'ignore' });
    const portFile = join(profile, 'DevToolsActivePort');
    const port = await waitUntil('chromium DevToolsActivePort', () => (existsSync(portFile) ? readFileSync(portFile, 'utf8').split('\n')[0]?.trim() || undefined : undefined), 30_000);
    this.browser = await loadPlaywright(this.o.cache).chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const context = this.browser.contexts()[0];
    if (!context) throw new Error('chromium has no browser context');
    this.page = context.pages()[0] ?? (await context.newPage());
    await this.page.setViewportSize({ width: 1600, height: 1000 });
    this.page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text().slice(0, 300));
    });
  }

  /** Opens a folder; answers the workspace-trust prompt with `trust`. */
  async open(folder: string, trust: boolean): Promise<void> {
    await this.page.goto(`http://127.0.0.1:${this.o.port}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const dialog = this.page.locator('.monaco-dialog-box');
    try {
      // On a loaded machine the prompt can take well over 20 s to appear.
      await dialog.waitFor({ state: 'visible', timeout: 45_000 });
      const label = trust ? /Yes, I trust/ : /No, I don.t trust/;
      await dialog.locator('.monaco-button', { hasText: label }).first().click();
    } catch {
      // No prompt: the folder's trust was decided before.
    }
  }

  /** Runs a palette command, retrying while the extension host is still registering commands. */
  async command(title: string, attempts = 15): Promise<void> {
    for (let i = 1; ; i++) {
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 3000 });
        await this.page.keyboard.press('Enter');
        return;
      } catch (e) {
        await this.page.keyboard.press('Escape');
        if (i >= attempts) throw e;
        await this.page.waitForTimeout(1000);
      }
    }
  }

  /** The view pane whose header says `title`. */
  pane(title: string): Locator {
    return this.page.locator(`.pane:has(.pane-header:has-text("${title}"))`);
  }

  row(pane: string, text: string | RegExp): Locator {
    return this.pane(pane).locator('.monaco-list-row', { hasText: text }).first();
  }

  async contextMenu(row: Locator, item: string): Promise<void> {
    await row.click({ button: 'right' });
    const entry = this.page.locator('.context-view .action-item', { hasText: item }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.hover();
    await entry.click();
    // A click that lands while the menu is still settling is dropped; the hovered item takes Enter.
    try {
      await this.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: 1000 });
    } catch {
      await this.page.keyboard.press('Enter');
    }
  }

  /** Runs a palette command that opens a quick pick, and picks the entry matching `entry`. */
  async pick(command: string, entry: string): Promise<void> {
    // Click the command itself: Enter would take whatever fuzzy match comes first.
    await this.page.keyboard.press('F1');
    const palette = this.page.locator('.quick-input-widget input');
    await palette.waitFor({ state: 'visible', timeout: 15_000 });
    await palette.fill(`>${command}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`${command}(?!s)`) }).first().click({ timeout: 10_000 });
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(entry);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: entry }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** The text of the hover a row shows (its tooltip). */
  async hoverText(row: Locator, contains: string): Promise<string> {
    await this.page.mouse.move(0, 0);
    await row.hover();
    const hover = this.page.locator('.monaco-hover, .workbench-hover', { hasText: contains }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    return hover.innerText();
  }

  statusItem(): Locator {
    return this.page.locator('.statusbar-item', { hasText: 'MLOps' }).first();
  }

  async screenshot(path: string): Promise<void> {
    try {
      await this.page.screenshot({ path });
    } catch {
      // The browser may be gone already; the failure itself is reported.
    }
  }

  async stop(): Promise<void> {
    try {
      await this.browser?.close();
    } catch {
      // Closing a CDP connection to a dying browser can throw.
    }
    stopGroup(this.chromium);
    stopGroup(this.codeServer);
    rmSync(join(this.o.work, 'chromium'), { recursive: true, force: true });
  }
}

export { waitUntil };
