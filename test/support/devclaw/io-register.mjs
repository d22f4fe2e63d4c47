import { register } from "node:module";

register("./io-hooks.mjs", import.meta.url);
