// The app's shell: routes, sign-in guard, and the data layer (TanStack Query), where a 401 from the
// API signs the user out and sends them back to sign-in.

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiError, NetworkError } from './api/client';
import { useAuth } from './auth';
import { Loading } from './components/ui';
import { Accounts } from './views/Accounts';
import { AuditLog } from './views/AuditLog';
import { Checkout } from './views/Checkout';
import { Finance } from './views/Finance';
import { NavBar } from './views/NavBar';
import { Settings } from './views/Settings';
import { SignIn } from './views/SignIn';
import { UsageBilling } from './views/UsageBilling';

export function App() {
  const { signOut } = useAuth();
  const [queries] = useState(() => {
    const onError = (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) signOut('expired');
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        // Refused requests stay refused; a network failure is retried twice, then shown with a retry button.
        queries: { retry: (count, error) => error instanceof NetworkError && count < 2, staleTime: 5_000 },
        mutations: { retry: false },
      },
    });
  });
  return (
    <QueryClientProvider client={queries}>
      <BrowserRouter>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Routes>
          <Route path="/sign-in" element={<SignInRoute />} />
          <Route path="/callback" element={<SignInRoute />} />
          <Route
            path="/"
            element={
              <SignedIn>
                <UsageBilling />
              </SignedIn>
            }
          />
          <Route
            path="/checkout"
            element={
              <SignedIn>
                <Checkout />
              </SignedIn>
            }
          />
          <Route
            path="/settings"
            element={
              <SignedIn>
                <Settings />
              </SignedIn>
            }
          />
          <Route
            path="/finance"
            element={
              <SignedIn>
                <Finance />
              </SignedIn>
            }
          />
          <Route
            path="/finance/accounts"
            element={
              <SignedIn>
                <Accounts />
              </SignedIn>
            }
          />
          <Route
            path="/finance/audit"
            element={
              <SignedIn>
                <AuditLog />
              </SignedIn>
            }
          />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function SignedIn({ children }: { children: ReactNode }) {
  const { session, checking, signedOutBecause } = useAuth();
  const location = useLocation();
  if (checking) return <Loading label="Signing in…" />;
  // After signing out on purpose the next person starts on Usage & Billing, not on the page the last one left.
  if (!session)
    return (
      <Navigate
        to="/sign-in"
        replace
        state={signedOutBecause === 'user' ? null : { back: location.pathname + location.search }}
      />
    );
  return (
    <>
      <NavBar />
      {children}
    </>
  );
}

function SignInRoute() {
  const { session, checking } = useAuth();
  const location = useLocation();
  const back = (location.state as { back?: string } | null)?.back ?? '/';
  if (checking) return <Loading label="Signing in…" />;
  if (session) return <Navigate to={back} replace />;
  return <SignIn />;
}
