/** The Workbench version; the daemon reports it and clients compare it. Kept in step with package.json. */
export const VERSION = '0.1.0';
/** The store schema this build writes; see daemon/src/store/migrations.ts. */
export const NODE_MAJOR_REQUIRED = 20;
