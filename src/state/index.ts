export * from "./document.js";
export * from "./errors.js";
export * from "./invariant.js";
export * from "./lossless.js";
export * from "./migrate.js";
export * from "./mutations.js";
export * from "./schema.js";
export * from "./workers.js";
