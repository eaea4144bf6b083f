import { useCallback, useEffect, useState } from 'react';

import { session, unwrap } from './api/client';
import { api } from './api/client';
import type { MeReply, Role } from './api/types';
import { BASE, resolveRoute, type RouteInfo, routesFor } from './lib/routes';
import { AllAgentsPage } from './pages/all-agents';
import { AllDocumentsPage } from './pages/all-documents';
import { ApiKeysPage } from './pages/api-keys';
import { AssistantsPage } from './pages/assistants';
import { CompaniesPage } from './pages/companies';
import { InboxPage } from './pages/inbox';
import { KnowledgePage } from './pages/knowledge';
import { LoginPage } from './pages/login';
import { PlatformPage } from './pages/platform';
import { ProfilePage } from './pages/profile';
import { UsagePage } from './pages/usage';
import { UsersPage } from './pages/users';
import { WebhooksPage } from './pages/webhooks';
import { WidgetsPage } from './pages/widgets';

export interface Identity {
  role: Role;
  name: string;
  tenant: { id: string; name: string; slug: string } | null;
}

function identityOf(me: MeReply): Identity {
  if (me.kind === 'user') {
    return { role: me.user.role, name: me.user.username, tenant: me.tenant };
  }
  return { role: me.role, name: 'API key', tenant: me.tenant };
}

export function App() {
  const [identity, setIdentity] = useState<Identity>();
  const [notice, setNotice] = useState<string>();

  useEffect(
    () =>
      session.onExpired(() => {
        setIdentity(undefined);
        setNotice('Your session has ended. Please sign in again.');
      }),
    [],
  );

  const signedIn = useCallback(async () => {
    const me = await unwrap<MeReply>(api.GET('/api/v1/auth/me'));
    setNotice(undefined);
    setIdentity(identityOf(me));
  }, []);

  const signOut = useCallback(async () => {
    await session.logout();
    setIdentity(undefined);
    history.pushState(null, '', `${BASE}/`);
  }, []);

  if (!identity) {
    return <LoginPage notice={notice} onSignedIn={signedIn} />;
  }
  return <Shell identity={identity} onSignOut={signOut} />;
}

function usePathname(): [string, (path: string) => void] {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPathname(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((path: string) => {
    history.pushState(null, '', path);
    setPathname(path);
  }, []);
  return [pathname, navigate];
}

function Shell({ identity, onSignOut }: { identity: Identity; onSignOut: () => Promise<void> }) {
  const [pathname, navigate] = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const route = resolveRoute(pathname, identity.role);

  useEffect(() => {
    document.title = `${route.label} · tenantbot console`;
    document.getElementById('page-title')?.focus();
  }, [route]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-ghost menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <span className="brand">
          tenantbot <span className="brand-sub">console</span>
        </span>
        <span className="who">
          {identity.tenant ? `${identity.tenant.name} · ` : 'Platform · '}
          {identity.name} ({identity.role.replace('_', ' ')})
        </span>
        <button type="button" className="btn btn-ghost" onClick={() => void onSignOut()}>
          Sign out
        </button>
      </header>
      <nav id="nav" className={`nav${menuOpen ? ' open' : ''}`} aria-label="Console">
        <ul>
          {routesFor(identity.role).map((item) => (
            <li key={item.path}>
              <a
                href={`${BASE}/${item.path}`}
                aria-current={item.path === route.path ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  setMenuOpen(false);
                  navigate(`${BASE}/${item.path}`);
                }}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main">
        <Page route={route} identity={identity} />
      </main>
    </div>
  );
}

function Page({ route, identity }: { route: RouteInfo; identity: Identity }) {
  switch (route.path) {
    case 'profile':
      return <ProfilePage />;
    case 'knowledge':
      return <KnowledgePage />;
    case 'assistants':
      return <AssistantsPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'widgets':
      return <WidgetsPage />;
    case 'api-keys':
      return <ApiKeysPage />;
    case 'users':
      return <UsersPage />;
    case 'usage':
      return <UsagePage />;
    case 'companies':
      return <CompaniesPage />;
    case 'platform':
      return <PlatformPage />;
    case 'all-documents':
      return <AllDocumentsPage />;
    case 'all-agents':
      return <AllAgentsPage />;
    case 'inbox':
      return <InboxPage />;
    default:
      return (
        <p role="alert">
          Your role ({identity.role}) has no pages in the console. Ask your company admin.
        </p>
      );
  }
}
