'use strict';
// electron-builder configuration: `npm run dist` (or `npx electron-builder --config electron-builder.config.cjs`).
// Everything the project's answers decide comes from app.answers.json; the logic and its tests
// live in src/builder-config.js.
module.exports = require('./src/builder-config').fromProject(__dirname, process.env);
