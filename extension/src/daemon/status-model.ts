/** What the status bar item says for a daemon state and the models' Production versions. No `vscode` import. */
import { type DaemonState } from './supervisor';

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'error' and 'warning' map to the status bar's error/warning background colours. */
  severity: 'normal' | 'warning' | 'error';
}

export function statusView(state: DaemonState, production: { model: string; version: number | null }[], showVersions = true): StatusView {
  switch (state.kind) {
    case 'starting':
      return { text: '$(sync~spin) MLOps: starting', tooltip: 'Connecting to the MLOps daemon…', severity: 'normal' };
    case 'reconnecting':
      return { text: '$(sync~spin) MLOps: reconnecting', tooltip: `Daemon connection lost (${state.reason}); reconnecting…`, severity: 'warning' };
    case 'restarting':
      return { text: '$(sync~spin) MLOps: restarting', tooltip: `Restarting the MLOps daemon: ${state.step}…`, severity: 'warning' };
    case 'failed':
      return { text: '$(error) MLOps: daemon down', tooltip: state.message, severity: 'error' };
    case 'disabled':
      return { text: '$(shield) MLOps: untrusted', tooltip: state.message, severity: 'warning' };
    case 'stopped':
      return { text: '$(circle-slash) MLOps: stopped', tooltip: 'The MLOps daemon is not running.', severity: 'normal' };
    case 'connected': {
      const prod = production.filter((p) => p.version !== null).map((p) => `${p.model} v${p.version}`);
      const shown = showVersions && prod.length ? ` ${prod.slice(0, 3).join(' · ')}${prod.length > 3 ? ` +${prod.length - 3}` : ''}` : '';
      const st = state.status;
      const tooltip = [
        `MLOps daemon ${st.version} (pid ${st.pid}, Node ${st.node_version}), up ${Math.round(st.uptime_s)} s`,
        `Production: ${prod.length ? prod.join(', ') : 'none'}`,
        'Click for details',
      ].join('\n');
      return { text: `$(database) MLOps${shown || ': ready'}`, tooltip, severity: 'normal' };
    }
  }
}
