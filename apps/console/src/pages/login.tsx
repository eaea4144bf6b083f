import { type FormEvent, useState } from 'react';

import { session } from '../api/client';
import { messageOf } from '../api/errors';
import { Button, ErrorNotice, TextField } from '../ui/components';

export function LoginPage({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: () => Promise<void>;
}) {
  const [tenant, setTenant] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.login({ tenant, login, password });
      await onSignedIn();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={(event) => void submit(event)}>
        <h1>Sign in to the console</h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <TextField
          label="Company"
          name="tenant"
          hint="Your company's slug. Leave empty for the platform owner."
          autoComplete="organization"
          value={tenant}
          onChange={(event) => setTenant(event.target.value)}
        />
        <TextField
          label="Username or email"
          name="username"
          autoComplete="username"
          required
          value={login}
          onChange={(event) => setLogin(event.target.value)}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorNotice message={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
