import{createRequire as __wsCreateRequire}from'node:module';import{fileURLToPath as __wsFileURLToPath}from'node:url';const require=__wsCreateRequire(import.meta.url);const __filename=__wsFileURLToPath(import.meta.url);const __dirname=__wsFileURLToPath(new URL('.',import.meta.url));
import a from"node:module";a.enableCompileCache?.();var{run:e}=await import("./action-WIG3E42A.js");await e();
