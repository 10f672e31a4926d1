/** The Model Registry view and its commands. `when` conditions match `versionContext`/`modelView` in ./model.ts. */
import { defineView } from '../shell/contrib';

const notProd = 'viewItem =~ /^version;stage=(None|Staging|Archived);/';

export const REGISTRY_VIEW = defineView({
  id: 'mlops.registry',
  name: 'Model Registry',
  welcome: 'No models yet. Register an ONNX model to start.\n[Register Model…](command:mlops.registerModel)\nNo mlops.yaml here? [Initialize Project](command:mlops.init)',
  commands: {
    refresh: { id: 'mlops.registry.refresh', title: 'Refresh Model Registry', icon: 'refresh', titleBar: 'navigation' },
    promoteStaging: {
      id: 'mlops.registry.promoteStaging',
      title: 'Promote to Staging',
      palette: false,
      item: { when: 'viewItem =~ /^version;stage=(None|Archived);/', group: '1_stage@1' },
    },
    promoteProduction: { id: 'mlops.registry.promoteProduction', title: 'Promote to Production', palette: false, item: { when: notProd, group: '1_stage@2' } },
    archive: {
      id: 'mlops.registry.archive',
      title: 'Archive',
      palette: false,
      item: { when: 'viewItem =~ /^version;stage=(None|Staging|Production);/', group: '1_stage@3' },
    },
    rollback: {
      id: 'mlops.registry.rollback',
      title: 'Roll Back Production',
      palette: false,
      item: { when: 'viewItem =~ /^(version;stage=Production;|model;prod)/', group: '1_stage@4' },
    },
    setAlias: { id: 'mlops.registry.setAlias', title: 'Set Alias…', palette: false, item: { when: 'viewItem =~ /^version;/', group: '2_alias@1' } },
    compareWithProduction: {
      id: 'mlops.registry.compareWithProduction',
      title: 'Compare with Production',
      palette: false,
      item: { when: 'viewItem =~ /^version;stage=(None|Staging|Archived);prod;/', group: '3_inspect@1' },
    },
    showAudit: { id: 'mlops.registry.showAudit', title: 'Show Audit History', palette: false, item: { when: 'viewItem =~ /^(version|model);/', group: '3_inspect@2' } },
    revealRun: { id: 'mlops.registry.revealRun', title: 'Reveal Source Run', palette: false, item: { when: 'viewItem =~ /^version;.*;run$/', group: '3_inspect@3' } },
    promote: { id: 'mlops.promote', title: 'Promote…' },
    rollbackPicked: { id: 'mlops.rollback', title: 'Roll Back…' },
    register: { id: 'mlops.registerModel', title: 'Register Model…' },
  },
});
