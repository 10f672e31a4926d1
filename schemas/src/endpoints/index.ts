/** Every daemon endpoint, one module per domain. A new domain adds its module here. */
export * from './daemon';
export * from './events';
export * from './registry';
export * from './runs';
export * from './datasets';
export * from './objects';
export * from './serving';
export * from './export';
export * from './mlflow';
export * from './notebooks';
export * from './pipelines';
export * from './gates';
export * from './monitoring';
export * from './safety';
export * from './dashboards';
