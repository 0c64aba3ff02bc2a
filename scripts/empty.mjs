// Stands in for react-devtools-core, which Ink's bundle references but uses only when DEV=true
// and the package resolves at run time; if that ever happens, connecting does nothing.
export default { initialize() {}, connectToDevTools() {} };
