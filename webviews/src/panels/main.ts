/**
 * The one webview script: every panel loads it and it starts the page named by `data-kind` on
 * <main> (set by the host's HTML shell). One bundle means chart.js, the controls and the message
 * schemas are shipped once for all panels.
 */
import { startComparison } from '../comparison/page';
import { startDrift } from '../drift/page';
import { startLatency } from '../latency/page';
import { startPipeline } from '../pipeline/page';

const kind = document.getElementById('app')?.dataset['kind'];
if (kind === 'drift') startDrift();
else if (kind === 'latency') startLatency();
else if (kind === 'pipeline') startPipeline();
else startComparison();
