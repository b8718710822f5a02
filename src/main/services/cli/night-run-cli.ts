// `npm run night-run -- --data-dir DIR`: the headless night run under plain Node. The SMTP
// password comes from the TRAVELDESK_SMTP_PASSWORD environment variable.
import { runHeadless } from './headless';

void runHeadless(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
