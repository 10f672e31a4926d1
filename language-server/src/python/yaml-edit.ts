/** The format-keeping mlops.yaml edits moved to shared/ so the daemon's `deployments enable|disable` uses them too. */
export * from '../../../shared/src/yaml-edit';
