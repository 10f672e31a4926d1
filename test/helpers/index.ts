/** Shared test helpers: temp projects, the real daemon and CLI, raw HTTP, SSE, SQLite and ONNX fixtures. */
export * from './paths';
export * from './project';
export * from './onnx';
export * from './daemon';
export * from './http';
export * from './sse';
export * from './store';
export * from './cli';
export * from './monitoring';
