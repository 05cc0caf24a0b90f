import { render } from 'preact';
import { App } from './App.js';
import { deviceDb } from './state/db.js';
import { reportError } from './state/notices.js';
import { restoreSession } from './state/session.js';
import { startServiceWorker } from './sw-bridge.js';
import './styles.css';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks #app');
render(<App />, root);

deviceDb.then(restoreSession).catch(reportError);
startServiceWorker();
