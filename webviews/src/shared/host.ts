/**
 * The webview side of the host protocol: typed posting, `safeParse` of everything the host sends,
 * state persistence through `setState` (restored by VS Code, also after a restart).
 */
import {
  describeIssues,
  hostMessageSchema,
  webviewStateSchema,
  type HostMessage,
  type WebviewMessage,
  type WebviewState,
} from '../../../schemas/src/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function savedState(): WebviewState | undefined {
  const parsed = webviewStateSchema.safeParse(api.getState());
  return parsed.success ? parsed.data : undefined;
}

export function saveState(state: WebviewState): void {
  api.setState(state);
}

/** Listens for host messages; invalid ones are reported back to the host's log and dropped. */
export function onHostMessage(handler: (msg: HostMessage) => void): void {
  window.addEventListener('message', (ev: MessageEvent<unknown>) => {
    const parsed = hostMessageSchema.safeParse(ev.data);
    if (!parsed.success) {
      post({ type: 'log', level: 'warn', message: `invalid host message ignored: ${describeIssues(parsed.error)}` });
      return;
    }
    handler(parsed.data);
  });
}

/** Creates an element with text and attributes; never parses HTML, so data cannot inject markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, text?: string): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string>, text?: string): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
