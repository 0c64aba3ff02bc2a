// What reads take from client-node, imported from the files that define it. Through the package's
// index the bundle would evaluate every generated API and model with them: esbuild puts a module
// in the chunk of every entry whose imports reach it, and the index re-exports all of them.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
