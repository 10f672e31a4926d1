/** Entry of dist/monitoring-worker.js: monitoring's thread in a serving process (recorder-worker.ts). */
import { workerData } from 'node:worker_threads';
import { runMonitoringWorker, type MonitoringWorkerData } from './recorder-worker';

runMonitoringWorker(workerData as MonitoringWorkerData);
