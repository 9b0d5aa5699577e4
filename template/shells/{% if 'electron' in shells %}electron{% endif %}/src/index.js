'use strict';
// Electron entry point (package.json "main"). All logic is in app.js and the modules it uses.
const { createApp } = require('./app');

createApp({ electron: require('electron') });
