/**
 * `mlops daemon enable`: a systemd user unit that starts the project daemon at login/boot, which in
 * turn brings back the deployments (and schedules) that were running. Where systemd does not run,
 * it says how to get the same effect by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { EXIT_ALREADY_RUNNING } from '../../schemas/src/api';

export function unitName(root: string): string {
  return `mlops-workbench-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.service`;
}

export function unitText(root: string, node: string, daemonJs: string): string {
  return `[Unit]
Description=MLOps Workbench daemon for ${root}
After=network.target

[Service]
Type=simple
WorkingDirectory=${root}
ExecStart=${node} ${daemonJs} --root ${root}
Restart=on-failure
RestartSec=5
# Another daemon already serves the project: nothing to restart.
RestartPreventExitStatus=${EXIT_ALREADY_RUNNING}

[Install]
WantedBy=default.target
`;
}

/** True when this machine runs systemd and the user's manager answers. */
export function systemdUserAvailable(): boolean {
  if (!existsSync('/run/systemd/system')) return false;
  const r = spawnSync('systemctl', ['--user', 'show-environment'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0;
}

export interface EnableResult {
  installed: boolean;
  unit: string | null;
  instructions: string;
}

export function enableService(root: string, daemonJs: string, env: NodeJS.ProcessEnv, systemd = systemdUserAvailable()): EnableResult {
  const text = unitText(root, process.execPath, daemonJs);
  const name = unitName(root);
  if (!systemd) {
    return {
      installed: false,
      unit: null,
      instructions:
        'systemd does not run here, so no service was installed. To start the daemon (and its deployments) at boot, ' +
        `run \`cd ${root} && mlops daemon start\` from your login or init scripts (e.g. a crontab line ` +
        `\`@reboot cd ${root} && ${process.execPath} ${daemonJs} --root ${root}\`), or on a systemd machine save this as ` +
        `~/.config/systemd/user/${name} and run \`systemctl --user enable ${name}\`:\n\n${text}`,
    };
  }
  const dir = join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'systemd', 'user');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  spawnSync('systemctl', ['--user', 'daemon-reload'], { timeout: 10_000 });
  const en = spawnSync('systemctl', ['--user', 'enable', name], { encoding: 'utf8', timeout: 10_000 });
  if (en.status !== 0) {
    return { installed: false, unit: file, instructions: `wrote ${file} but \`systemctl --user enable ${name}\` failed: ${en.stderr.trim()}` };
  }
  return {
    installed: true,
    unit: file,
    instructions: `installed and enabled ${file}; the daemon starts at login (run \`loginctl enable-linger\` to start it at boot without a login)`,
  };
}
