/** `mlops doctor [--verify] [--rebuild]`: checks the store offline (no daemon needed) and repairs explicitly. */
import type * as z from 'zod';
import { doctorRebuildResponse, doctorResponse, type DoctorReport } from '../../../schemas/src/security';
import { probeDaemon } from '../../../client/src/connect';
import { rebuildStore, runDoctor } from '../../../shared/src/doctor';
import { type CommandSpec, CliError, type CliIo } from '../framework';
import { fmtBytes, printJson, table } from '../output';
import { actorName, requireRoot } from '../context';

function printReport(io: CliIo, r: DoctorReport): void {
  io.out(`checked ${r.checked_objects} objects referenced ${r.referenced_objects} times\n`);
  if (r.ok) {
    io.out('the store is healthy\n');
    return;
  }
  io.out(table(['problem', 'subject', 'detail'], r.problems.map((p) => [p.kind, p.subject, p.detail])));
}

async function rebuild(io: CliIo, root: string, json: boolean): Promise<void> {
  if (await probeDaemon(root, actorName(io))) {
    throw new CliError('a daemon is serving this project', 'stop it with `mlops daemon stop`, then run `mlops doctor --rebuild` again');
  }
  const r = rebuildStore(root);
  const out: z.infer<typeof doctorRebuildResponse> = { moved_to: r.moved_to, objects: r.found.objects, bytes: r.found.bytes };
  if (json) return printJson(io, doctorRebuildResponse.parse(out));
  io.out(`found ${r.found.objects} objects (${fmtBytes(r.found.bytes)}); moved them to ${r.moved_to} (nothing deleted). The next command starts a new store.\n`);
}

export const doctorCommand: CommandSpec = {
  words: ['doctor'],
  summary: 'Check the store: database integrity, every referenced object, unsafe paths, leftovers',
  options: {
    verify: { type: 'boolean', description: 're-hash every referenced object (reads all stored content)' },
    rebuild: { type: 'boolean', description: 'set the stored objects aside in .mlops/recovered/ and let a new store start (explicit repair of a lost database)' },
  },
  json: true,
  examples: ['mlops doctor', 'mlops doctor --verify --json', 'mlops doctor --rebuild'],
  run: async (args, io) => {
    const root = requireRoot(io);
    if (args.options['rebuild']) return rebuild(io, root, Boolean(args.json));
    const r = doctorResponse.parse(await runDoctor(root, { verify: Boolean(args.options['verify']) }));
    if (args.json) printJson(io, r);
    else printReport(io, r);
    return r.ok ? 0 : 1;
  },
};
