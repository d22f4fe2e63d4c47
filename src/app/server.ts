/** `npm start`'s entry: the checks and the server are in start.ts. */
import { startApp } from "./start.js";

const code = await startApp();
if (code !== 0) process.exit(code);
