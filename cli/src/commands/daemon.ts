/** `mlops daemon start|stop|status`. */
import type * as z from 'zod';
import { type daemonStartJson, type daemonStatusJson, type daemonStopJson } from '../../../schemas/src/cli';
import { connectDaemon, probeDaemon, readDaemonInfo } from '../../../client/src/connect';
import { type CommandSpec, CliError } from '../framework';
import { printJson, table } from '../output';
import { actorName, requireRoot } from '../context';
import * as endpoints from '../../../schemas/src/endpoints';

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export const daemonCommands: CommandSpec[] = [
  {
    words: ['daemon', 'start'],
    summary: 'Start the project daemon (other commands start it when needed)',
    json: true,
    examples: ['mlops daemon start', 'mlops daemon start --json'],
    run: async (args, io) => {
      const root = requireRoot(io);
      const client = await connectDaemon(root, { actor: actorName(io) });
      const st = await client.request(endpoints.getStatus);
      if (args.json) printJson(io, { running: true, pid: st.pid, port: client.conn.port, version: st.version } satisfies z.infer<typeof daemonStartJson>);
      else io.out(`daemon running: pid ${st.pid}, 127.0.0.1:${client.conn.port}, version ${st.version}\n`);
    },
  },
  {
    words: ['daemon', 'stop'],
    summary: 'Stop the project daemon cleanly',
    json: true,
    examples: ['mlops daemon stop'],
    run: async (args, io) => {
      const root = requireRoot(io);
      const client = await probeDaemon(root, actorName(io));
      if (!client) {
        if (args.json) printJson(io, { stopped: false, running: false } satisfies z.infer<typeof daemonStopJson>);
        else io.out('no daemon is running\n');
        return;
      }
      const pid = (await client.request(endpoints.getStatus)).pid;
      await client.request(endpoints.stopDaemon);
      if (!(await waitGone(pid, 10_000))) throw new CliError(`daemon pid ${pid} did not stop within 10 s`, `kill it with \`kill ${pid}\``);
      if (args.json) printJson(io, { stopped: true, pid } satisfies z.infer<typeof daemonStopJson>);
      else io.out(`daemon stopped (pid ${pid})\n`);
    },
  },
  {
    words: ['daemon', 'status'],
    summary: 'Show whether the daemon runs, where, and what the store holds',
    json: true,
    examples: ['mlops daemon status', 'mlops daemon status --json'],
    run: async (args, io) => {
      const root = requireRoot(io);
      const client = await probeDaemon(root, actorName(io));
      if (!client) {
        const stale = readDaemonInfo(root);
        if (args.json) printJson(io, { running: false, root } satisfies z.infer<typeof daemonStatusJson>);
        else io.out(`no daemon is running for ${root}${stale ? ` (stale daemon.json for pid ${stale.pid})` : ''}\n`);
        return 3;
      }
      const st = await client.request(endpoints.getStatus);
      if (args.json) return printJson(io, { running: true, port: client.conn.port, ...st } satisfies z.infer<typeof daemonStatusJson>);
      io.out(
        table(
          ['field', 'value'],
          [
            ['root', st.root],
            ['pid', st.pid],
            ['address', `127.0.0.1:${client.conn.port}`],
            ['version', st.version],
            ['node', st.node_version],
            ['uptime', `${st.uptime_s.toFixed(0)} s`],
            ['store schema', st.schema_version],
            ['models', st.counts.models],
            ['versions', st.counts.versions],
            ['events', st.counts.events],
            ...st.schedules.map((x) => [`schedule ${x.cron}`, `next run ${x.next_run ?? 'never'}`]),
          ],
        ),
      );
      if (st.schedules.length) io.out('The daemon keeps running for these schedules; stop it with `mlops daemon stop` (remove pipeline.triggers first, or it starts again with VS Code).\n');
    },
  },
];
