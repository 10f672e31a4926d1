/** The Experiments view and its commands. `when` conditions match `runView` in ./model.ts. */
import { defineView } from '../shell/contrib';

export const EXPERIMENTS_VIEW = defineView({
  id: 'mlops.experiments',
  name: 'Experiments',
  canSelectMany: true,
  welcome: 'No runs yet. Track one with `mlops exec -- python train.py`.\n[Run Training](command:mlops.runTraining)',
  commands: {
    refresh: { id: 'mlops.experiments.refresh', title: 'Refresh Experiments', icon: 'refresh', titleBar: 'navigation@2' },
    compare: {
      id: 'mlops.experiments.compare',
      title: 'Compare Runs',
      icon: 'diff-multiple',
      palette: false,
      titleBar: 'navigation@1',
      item: { when: 'viewItem =~ /^run;/', group: '1_compare@1' },
    },
    showRun: { id: 'mlops.experiments.showRun', title: 'Show Run', palette: false, item: { when: 'viewItem =~ /^run;/', group: '1_compare@2' } },
    /** Reveals a run by id: how other views and the comparison webview show a run (argument: the run id). */
    revealRun: { id: 'mlops.experiments.revealRun', title: 'Reveal Run', palette: false },
  },
});
