/**
 * playwright-core lives in the e2e cache folder (scripts/e2e-setup.sh), not in package.json, so it is
 * loaded with createRequire and typed here by the few members the suite uses.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Locator {
  first(): Locator;
  nth(i: number): Locator;
  locator(selector: string, opts?: { hasText?: string | RegExp }): Locator;
  filter(opts: { hasText?: string | RegExp }): Locator;
  click(opts?: { button?: 'left' | 'right'; modifiers?: ('Control' | 'Shift')[]; timeout?: number }): Promise<void>;
  dblclick(opts?: { timeout?: number }): Promise<void>;
  hover(opts?: { timeout?: number }): Promise<void>;
  fill(text: string): Promise<void>;
  press(key: string): Promise<void>;
  focus(): Promise<void>;
  waitFor(opts?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  count(): Promise<number>;
  innerText(opts?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string): Promise<string | null>;
  isVisible(): Promise<boolean>;
  evaluate<R>(fn: (el: HTMLElement) => R): Promise<R>;
}

export interface FrameLocator {
  locator(selector: string, opts?: { hasText?: string | RegExp }): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Page {
  goto(url: string, opts?: { waitUntil?: 'load' | 'domcontentloaded'; timeout?: number }): Promise<unknown>;
  locator(selector: string, opts?: { hasText?: string | RegExp }): Locator;
  frameLocator(selector: string): FrameLocator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { move(x: number, y: number): Promise<void> };
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  waitForTimeout(ms: number): Promise<void>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, opts?: { polling?: 'raf' | number; timeout?: number }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
}

export interface Browser {
  contexts(): { pages(): Page[]; newPage(): Promise<Page> }[];
  close(): Promise<void>;
  version(): string;
}

export interface Playwright {
  chromium: { connectOverCDP(endpoint: string): Promise<Browser> };
}

export function loadPlaywright(cache: string): Playwright {
  const req = createRequire(join(cache, 'pw', 'package.json'));
  return req('playwright-core') as Playwright;
}
