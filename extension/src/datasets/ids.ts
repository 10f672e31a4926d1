/** The Datasets view and its commands. `when` conditions match `datasetView`/`datasetVersionView` in ./model.ts. */
import { defineView } from '../shell/contrib';

export const DATASETS_VIEW = defineView({
  id: 'mlops.datasets',
  name: 'Datasets',
  welcome: 'No datasets yet. Declare them under `data:` in mlops.yaml.\n[Open mlops.yaml](command:mlops.openConfig)',
  commands: {
    refresh: { id: 'mlops.datasets.refresh', title: 'Refresh Datasets', icon: 'refresh', titleBar: 'navigation@2' },
    snapshot: {
      id: 'mlops.snapshotDataset',
      title: 'Snapshot Dataset',
      icon: 'device-camera',
      titleBar: 'navigation@1',
      item: { when: 'viewItem == dataset;configured', group: '1_data@1' },
    },
    diffPrevious: {
      id: 'mlops.datasets.diffPrevious',
      title: 'Diff with Previous Version',
      palette: false,
      item: { when: 'viewItem == datasetVersion;parent', group: '1_data@2' },
    },
    compareReference: {
      id: 'mlops.datasets.compareReference',
      title: 'Compare with Reference…',
      palette: false,
      item: { when: 'viewItem =~ /^datasetVersion;/', group: '1_data@3' },
    },
  },
});
