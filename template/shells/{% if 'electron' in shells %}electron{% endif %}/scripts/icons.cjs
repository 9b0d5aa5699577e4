'use strict';
// `npm run icons`: render the project's brand source (assets/brand/icon.svg) to build/icon.png,
// 1024x1024. electron-builder derives the macOS .icns, the Windows .ico and the Linux icon set
// from it. build/ is a build output (git-ignored); `npm run dist` runs this first.
const fs = require('node:fs');
const path = require('node:path');

const SHELL_DIR = path.resolve(__dirname, '..');
const SOURCE = path.resolve(SHELL_DIR, '..', '..', 'assets', 'brand', 'icon.svg');
const OUTPUT = path.join(SHELL_DIR, 'build', 'icon.png');
const SIZE = 1024;

function main() {
  let Resvg;
  try {
    ({ Resvg } = require('@resvg/resvg-js'));
  } catch {
    console.error('icons: @resvg/resvg-js is not installed; run npm install in shells/electron first.');
    return 1;
  }
  if (!fs.existsSync(SOURCE)) {
    console.error(`icons: ${SOURCE} is missing (the brand source every shell's icons come from).`);
    return 1;
  }
  const svg = fs.readFileSync(SOURCE);
  // No system fonts: the icon must not depend on the machine that builds it.
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: SIZE }, font: { loadSystemFonts: false } }).render().asPng();
  if (png.readUInt32BE(16) !== SIZE || png.readUInt32BE(20) !== SIZE) {
    console.error(`icons: ${SOURCE} is not square; make it ${SIZE}x${SIZE} (or any square size).`);
    return 1;
  }
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, png);
  console.log(`icons: wrote ${path.relative(SHELL_DIR, OUTPUT)} (${SIZE}x${SIZE}) from ${path.relative(SHELL_DIR, SOURCE)}`);
  return 0;
}

process.exitCode = main();
