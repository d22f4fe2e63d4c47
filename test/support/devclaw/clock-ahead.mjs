// Stands in for time passing: this process's clock (Date.now and new Date()) runs
// WS_CLOCK_AHEAD_MS ahead, so a lock taken "now" by another process looks that old to it.
const ahead = Number(process.env.WS_CLOCK_AHEAD_MS ?? 0);
const realNow = Date.now;
Date.now = () => realNow() + ahead;
