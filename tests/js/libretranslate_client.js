// Runs the `libretranslate` npm client unchanged: one translate() call per line of the
// JSON array in argv[2]; prints a JSON array of the results (or {"error": message}).
const { translate } = require("libretranslate");

async function main() {
  const calls = JSON.parse(process.argv[2]);
  const out = [];
  for (const call of calls) {
    try {
      out.push(await translate(call));
    } catch (err) {
      out.push({ error: String(err && err.message ? err.message : err) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main();
