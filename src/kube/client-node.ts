// What reads and watches take from client-node, imported from the files that define it. Through
// the package's index, loading them would evaluate every generated API and model too (760 model
// modules for a watch), since the index re-exports all of them.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
