import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

/** Entry of the console bundle (scripts/build-ui.mjs). */
render(<App />, document.getElementById('app')!);
