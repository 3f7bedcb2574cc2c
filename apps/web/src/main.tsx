import { render } from 'preact';
import { App } from './components/App.js';
import { Sessions } from './components/Sessions.js';
import './styles.css';

// `?sessions` and `?session=ID[&line=N]` are the live Sessions view (issue 16); the rest is the mail.
const query = new URLSearchParams(location.search);
const view =
  query.has('sessions') || query.has('session') ? <Sessions initial={query.get('session')} /> : <App />;
render(view, document.getElementById('app')!);
