/** The Pipelines view and its commands. `when` conditions match `pipelineStage;<state>;<log|nolog>` in ./model.ts. */
import { defineView } from '../shell/contrib';

export const PIPELINES_VIEW = defineView({
  id: 'mlops.pipelines',
  name: 'Pipelines',
  welcome: 'No pipeline yet. Declare stages under `pipeline.stages` in mlops.yaml (see docs/PIPELINES.md).\n[Open mlops.yaml](command:mlops.openConfig)',
  commands: {
    run: {
      id: 'mlops.pipelines.run',
      title: 'Run Pipeline',
      icon: 'run-all',
      titleBar: 'navigation@1',
      item: { when: 'viewItem =~ /^pipelineStage;/', group: '1_run@2' },
    },
    runStage: {
      id: 'mlops.pipelines.runStage',
      title: 'Run Stage',
      icon: 'play',
      titleBar: 'navigation@2',
      item: { when: 'viewItem =~ /^pipelineStage;/', group: '1_run@1' },
    },
    openLog: {
      id: 'mlops.pipelines.openLog',
      title: 'Open Stage Log',
      icon: 'output',
      palette: false,
      item: { when: 'viewItem =~ /^pipelineStage;.*;log$/', group: '2_inspect@1' },
    },
    showGraph: { id: 'mlops.pipelines.showGraph', title: 'Show Pipeline Graph', icon: 'type-hierarchy', titleBar: 'navigation@3' },
    refresh: { id: 'mlops.pipelines.refresh', title: 'Refresh Pipelines', icon: 'refresh', titleBar: 'navigation@4' },
  },
});
