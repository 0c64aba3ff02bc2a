// The only way the app reaches Ink and React. scripts/build.ts bundles these views apart as ES
// modules (Ink's layout engine awaits at its top level, which the CommonJS app bundle cannot hold)
// and replaces this module there with one that imports those files through the launcher.
export const loadProgressView = () => import('./ink/progress.tsx');
export const loadForwardPanelView = () => import('./forward-panel-live.tsx');
