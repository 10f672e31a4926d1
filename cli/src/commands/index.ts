/** Every CLI command, in help order. Each feature contributes its own list from its own file. */
import { type CommandSpec } from '../framework';
import { projectCommands } from './project';
import { daemonCommands } from './daemon';
import { modelCommands } from './models';
import { gateCommands } from './gates';
import { runCommands } from './runs';
import { execCommand } from './exec';
import { dataCommands } from './data';
import { eventCommands } from './events';
import { driftCommands } from './drift';
import { lspCommands } from './lsp';
import { doctorCommand } from './doctor';
import { mlflowCommands } from './mlflow';
import { servingCommands } from './serving';
import { safetyCommands } from './safety';
import { pipelineCommands } from './pipelines';
import { convertCommands } from './convert';
import { pipelineIoCommands } from './pipeline-io';
import { monitoringCommands } from './monitoring';

export const allCommands: CommandSpec[] = [
  ...projectCommands,
  ...daemonCommands,
  ...modelCommands,
  ...gateCommands,
  execCommand,
  ...runCommands,
  ...pipelineCommands,
  ...convertCommands,
  ...pipelineIoCommands,
  ...dataCommands,
  doctorCommand,
  ...mlflowCommands,
  ...driftCommands,
  ...servingCommands,
  ...safetyCommands,
  ...monitoringCommands,
  ...eventCommands,
  ...lspCommands,
];
