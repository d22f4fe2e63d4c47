import{createRequire as __wsCreateRequire}from'node:module';import{fileURLToPath as __wsFileURLToPath}from'node:url';const require=__wsCreateRequire(import.meta.url);const __filename=__wsFileURLToPath(import.meta.url);const __dirname=__wsFileURLToPath(new URL('.',import.meta.url));
import{d as a,e as b}from"./action-W2PHXGTX.js";import"./action-6HTKBLZQ.js";export{b as log,a as printable};
