// Sign-in. Locally: the demo user or one of two members of the finance team, with dev tokens from
// the local server.
// Deployed: the IO ID OpenID Connect provider.

import { useState } from 'react';
import { useAuth } from '../auth';
import { Alert, problemText } from '../components/ui';

export function SignIn() {
  const { config, signInLocal, signInWithProvider } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <main id="main" className="sign-in">
      <section className="card" aria-labelledby="sign-in">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            IO
          </span>
          IO Credits
        </div>
        <h1 id="sign-in">Sign in to Usage &amp; Billing</h1>
        {config.auth.mode === 'local' ? (
          <>
            <p className="muted">This is a local server: pick who to be. No password is needed.</p>
            <div className="choices">
              <button type="button" className="btn" disabled={busy} onClick={() => run(() => signInLocal('demo'))}>
                Demo user
              </button>
              <button type="button" className="btn" disabled={busy} onClick={() => run(() => signInLocal('finance'))}>
                Finance team
              </button>
              <button type="button" className="btn" disabled={busy} onClick={() => run(() => signInLocal('finance2'))}>
                Finance, second approver
              </button>
            </div>
          </>
        ) : (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => run(signInWithProvider)}>
            Sign in with IO ID
          </button>
        )}
        {error ? (
          <Alert tone="error" title="Not signed in">
            {problemText(error)}
          </Alert>
        ) : null}
      </section>
    </main>
  );
}
